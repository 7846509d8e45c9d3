import type { Gauge, Histogram } from 'prom-client';

export type ObjectLabels = { name: string; namespace: string };

/**
 * How long reconciles take, recorded twice. ESO's gauge holds each object's last reconcile
 * in nanoseconds (what dashboards built for ESO read); our histogram holds the distribution
 * in seconds per controller (what a latency objective needs, with a bounded number of series).
 */
export class ReconcileDuration {
  private readonly lastNanoseconds: Gauge<keyof ObjectLabels>;
  private readonly seconds: Histogram<'controller'>;
  private readonly controller: string;

  constructor(lastNanoseconds: Gauge<keyof ObjectLabels>, seconds: Histogram<'controller'>, controller: string) {
    this.lastNanoseconds = lastNanoseconds;
    this.seconds = seconds;
    this.controller = controller;
  }

  observe(labels: ObjectLabels, seconds: number): void {
    this.lastNanoseconds.set(labels, Math.round(seconds * 1e9));
    this.seconds.observe({ controller: this.controller }, seconds);
  }

  /** The object is gone: its last duration goes with it (the histogram is not per object). */
  remove(labels: ObjectLabels): void {
    this.lastNanoseconds.remove(labels);
  }
}
