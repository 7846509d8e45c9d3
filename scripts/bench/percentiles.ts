/** Percentiles of a sample (nearest rank), for latencies. */
export function percentile(values: readonly number[], p: number): number {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1))]!;
}

/** min, p50, p99 and max of some latencies in ms (NaN for none). */
export function latencySummary(values: readonly number[]): { minMs: number; p50Ms: number; p99Ms: number; maxMs: number } {
  return { minMs: percentile(values, 0), p50Ms: percentile(values, 0.5), p99Ms: percentile(values, 0.99), maxMs: percentile(values, 1) };
}
