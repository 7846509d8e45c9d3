/**
 * The operator's AWS calls, counted by the bench itself: the operator's AWS endpoint is a
 * recording proxy in front of moto (test/integration/aws-proxy.ts), so the count does not
 * depend on the operator's own metrics. The operator's externalsecret_provider_api_calls_count
 * is read too, and checked against the proxy.
 */
import type { RecordedCall } from '../../test/integration/aws-proxy.ts';

/**
 * Secrets Manager, SSM and SQS answer JSON calls named by X-Amz-Target (the proxy keeps only the
 * call's name); STS's query calls carry an Action. The names below are STS's, SQS's and SSM's.
 */
const STS_ACTIONS = /^(AssumeRole|AssumeRoleWithWebIdentity|AssumeRoleWithSAML|GetCallerIdentity|GetSessionToken|GetFederationToken)$/;
const SQS_ACTIONS = /^(ReceiveMessage|DeleteMessage|DeleteMessageBatch|ChangeMessageVisibility|ChangeMessageVisibilityBatch|GetQueueAttributes|GetQueueUrl|SendMessage|SendMessageBatch)$/;
const SSM_ACTIONS = /^(GetParameter|GetParameters|GetParametersByPath|DescribeParameters|ListTagsForResource|PutParameter|DeleteParameter|AddTagsToResource)$/;
export const operationName = (action: string): string =>
  `${STS_ACTIONS.test(action) ? 'sts' : SQS_ACTIONS.test(action) ? 'sqs' : SSM_ACTIONS.test(action) ? 'ssm' : 'secretsmanager'}.${action}`;

/** The Secrets Manager calls among some counts. */
export const secretsManagerCalls = (counts: CallCounts): CallCounts =>
  Object.fromEntries(Object.entries(counts).filter(([op]) => op.startsWith('secretsmanager.')));

/** The Parameter Store calls among some counts. */
export const ssmCalls = (counts: CallCounts): CallCounts =>
  Object.fromEntries(Object.entries(counts).filter(([op]) => op.startsWith('ssm.')));

export type CallCounts = Record<string, number>;

/** Calls that reached the proxy in [from, to), by operation. */
export function callsBetween(calls: readonly RecordedCall[], from: number, to: number): CallCounts {
  const counts: CallCounts = {};
  for (const call of calls) {
    if (call.at < from || call.at >= to) continue;
    const op = operationName(call.action);
    counts[op] = (counts[op] ?? 0) + 1;
  }
  return counts;
}

/** The operator's own count of its AWS calls (both outcomes), by operation, from its /metrics text. */
export function operatorCallCounts(metricsText: string): CallCounts {
  const counts: CallCounts = {};
  for (const line of metricsText.split('\n')) {
    if (!line.startsWith('externalsecret_provider_api_calls_count{')) continue;
    const call = /[{,]call="([^"]*)"/.exec(line)?.[1] ?? 'unknown';
    const op = operationName(call);
    counts[op] = (counts[op] ?? 0) + Number(line.split(' ').pop());
  }
  return counts;
}

/**
 * Where the operator's metric and the proxy disagree, for the operations the metric counts
 * (the proxy also sees calls the metric leaves out, e.g. the SDK's retries or STS calls made
 * by a credential provider). Read both while no call is in flight.
 */
export function disagreements(proxy: CallCounts, metric: CallCounts): string[] {
  return Object.entries(metric).filter(([op, n]) => (proxy[op] ?? 0) !== n).map(([op, n]) => `${op}: metric ${n}, proxy ${proxy[op] ?? 0}`);
}
