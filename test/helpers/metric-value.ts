import type { Counter, Gauge } from 'prom-client';

const labelKey = (labels: object): string => JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));

/** The value of the series with exactly these labels; 0 while it has none (a counter that never moved). */
export async function metricValue<L extends string>(metric: Counter<L> | Gauge<L>, labels: Partial<Record<L, string>>): Promise<number> {
  const { values } = await metric.get();
  const key = labelKey(labels);
  return values.find((v) => labelKey(v.labels) === key)?.value ?? 0;
}
