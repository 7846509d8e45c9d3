/**
 * A minimal Prometheus registry: counters, gauges and histograms with labels,
 * rendered in the text exposition format. Label values are operator-chosen
 * (names, reason codes), never secret values.
 */
type Labels = Record<string, string>;

interface Metric {
  render(): string[];
}

const escapeLabel = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const labelText = (labels: Labels): string => {
  const entries = Object.entries(labels);
  return entries.length ? `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}` : '';
};
const keyOf = (labels: Labels): string => JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));

class Series<V> {
  readonly values = new Map<string, { labels: Labels; value: V }>();

  get(labels: Labels, init: () => V): { labels: Labels; value: V } {
    const key = keyOf(labels);
    let entry = this.values.get(key);
    if (!entry) this.values.set(key, (entry = { labels, value: init() }));
    return entry;
  }
}

/** What every metric has: a name, a help text and its labelled series. */
abstract class Family<V> implements Metric {
  protected readonly series = new Series<V>();
  readonly name: string;
  private readonly help: string;
  private readonly type: string;

  constructor(name: string, help: string, type: string) {
    this.name = name;
    this.help = help;
    this.type = type;
  }

  protected header(): string[] {
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`];
  }

  abstract render(): string[];
}

/** Counters and gauges: one number per series. */
abstract class Scalar extends Family<number> {
  render(): string[] {
    return [...this.header(), ...[...this.series.values.values()].map(({ labels, value }) => `${this.name}${labelText(labels)} ${value}`)];
  }
}

export class Counter extends Scalar {
  constructor(name: string, help: string) {
    super(name, help, 'counter');
  }

  inc(labels: Labels = {}, by = 1): void {
    this.series.get(labels, () => 0).value += by;
  }

  value(labels: Labels = {}): number {
    return this.series.values.get(keyOf(labels))?.value ?? 0;
  }
}

export class Gauge extends Scalar {
  constructor(name: string, help: string) {
    super(name, help, 'gauge');
  }

  set(labels: Labels, value: number): void {
    this.series.get(labels, () => 0).value = value;
  }

  delete(match: (labels: Labels) => boolean): void {
    for (const [key, { labels }] of this.series.values) if (match(labels)) this.series.values.delete(key);
  }
}

export class Histogram extends Family<{ buckets: number[]; sum: number; count: number }> {
  private readonly bounds: number[];

  constructor(name: string, help: string, bounds: number[]) {
    super(name, help, 'histogram');
    this.bounds = bounds;
  }

  observe(labels: Labels, value: number): void {
    const entry = this.series.get(labels, () => ({ buckets: this.bounds.map(() => 0), sum: 0, count: 0 })).value;
    this.bounds.forEach((b, i) => { if (value <= b) entry.buckets[i]!++; });
    entry.sum += value;
    entry.count++;
  }

  render(): string[] {
    const lines = this.header();
    for (const { labels, value } of this.series.values.values()) {
      this.bounds.forEach((b, i) => lines.push(`${this.name}_bucket${labelText({ ...labels, le: String(b) })} ${value.buckets[i]}`));
      lines.push(`${this.name}_bucket${labelText({ ...labels, le: '+Inf' })} ${value.count}`);
      lines.push(`${this.name}_sum${labelText(labels)} ${value.sum}`, `${this.name}_count${labelText(labels)} ${value.count}`);
    }
    return lines;
  }
}

export class Registry {
  private readonly metrics: Metric[] = [];

  register<M extends Metric>(metric: M): M {
    this.metrics.push(metric);
    return metric;
  }

  render(): string {
    return `${this.metrics.flatMap((m) => m.render()).join('\n')}\n`;
  }
}
