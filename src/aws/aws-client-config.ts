/**
 * Settings every AWS client of the operator shares. The SDK waits forever by
 * default; a hung connection would hold a reconcile worker, so calls have deadlines.
 * The SDK's own retries (3 attempts, with backoff and a retry quota) stay on.
 */
export const awsClientConfig = {
  requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 },
} as const;
