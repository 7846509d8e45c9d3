import { describe, expect, it } from 'vitest';
import { Counter, Gauge, Histogram, Registry } from '../../src/metrics/registry.ts';

describe('metrics registry', () => {
  it('renders counters, gauges and histograms in the Prometheus text format', () => {
    const r = new Registry();
    const c = r.register(new Counter('calls_total', 'Calls'));
    const g = r.register(new Gauge('up', 'Up'));
    const h = r.register(new Histogram('latency', 'Latency', [0.1, 1]));
    c.inc({ call: 'Get' });
    c.inc({ call: 'Get' }, 2);
    g.set({ name: 'a"b' }, 1);
    h.observe({}, 0.5);
    expect(r.render()).toBe([
      '# HELP calls_total Calls', '# TYPE calls_total counter', 'calls_total{call="Get"} 3',
      '# HELP up Up', '# TYPE up gauge', 'up{name="a\\"b"} 1',
      '# HELP latency Latency', '# TYPE latency histogram',
      'latency_bucket{le="0.1"} 0', 'latency_bucket{le="1"} 1', 'latency_bucket{le="+Inf"} 1', 'latency_sum 0.5', 'latency_count 1',
      '',
    ].join('\n'));
  });

  it('treats label order as irrelevant and deletes matching gauge series', () => {
    const c = new Counter('x', 'x');
    c.inc({ a: '1', b: '2' });
    c.inc({ b: '2', a: '1' });
    expect(c.value({ a: '1', b: '2' })).toBe(2);
    const g = new Gauge('g', 'g');
    g.set({ name: 'a' }, 1);
    g.set({ name: 'b' }, 1);
    g.delete((l) => l.name === 'a');
    expect(g.render()).toEqual(['# HELP g g', '# TYPE g gauge', 'g{name="b"} 1']);
  });
});
