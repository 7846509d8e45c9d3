import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { forgetObject, markExternalSecretDeleted, operatorMetrics, setExternalSecretReady } from '../../src/metrics/operator-metrics.ts';
import { startMetricsServer } from '../../src/metrics/server.ts';
import { metricValue } from '../helpers/metric-value.ts';
import { OperatorError } from '../../src/errors.ts';

interface Scrape {
  text: string;
  type(name: string): string | undefined;
  samples(name: string): string[];
  /** A metric's # TYPE and its sample lines. */
  family(name: string): { type: string | undefined; samples: string[] };
}

async function scrape(registry: Registry): Promise<Scrape> {
  const text = await registry.metrics();
  const lines = text.split('\n');
  const type = (name: string) => lines.find((l) => l.startsWith(`# TYPE ${name} `))?.slice(`# TYPE ${name} `.length);
  const samples = (name: string) => lines.filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
  return { text, type, samples, family: (name) => ({ type: type(name), samples: samples(name) }) };
}

const es = { name: 'db', namespace: 'prod' };
const ces = { name: 'fanout', namespace: '' };
/** The object a reconcile of these labels ran on, as the controller runtime reports it. */
const object = ({ name, namespace }: { name: string; namespace: string }) => ({ metadata: { name, ...(namespace ? { namespace } : {}) } });

describe('operator metrics', () => {
  it("serves ESO's metrics under ESO's names, types, labels and units", async () => {
    const m = operatorMetrics();
    m.syncCalls.inc(es);
    m.syncErrors.inc(es);
    m.statusCondition.set({ ...es, condition: 'Ready', status: 'True' }, 0);
    m.statusCondition.set({ ...es, condition: 'Ready', status: 'False' }, 1);
    m.reconcileObserver(m.reconcileDuration)('externalsecret', object(es), 0.25);
    m.providerCalls.inc({ provider: 'AWS/SecretsManager', call: 'GetSecretValue', status: 'success' });
    m.clusterExternalSecrets.statusCondition.set({ ...ces, condition: 'Ready', status: 'True' }, 1);
    m.reconcileObserver(m.clusterExternalSecrets.reconcileDuration)('clusterexternalsecret', object(ces), 1.5);
    const s = await scrape(m.registry);

    expect(s.family('externalsecret_sync_calls_total')).toEqual({ type: 'counter', samples: ['externalsecret_sync_calls_total{name="db",namespace="prod"} 1'] });
    // ESO's error counter has no reason label: a query dividing it by the sync counter must match.
    expect(s.family('externalsecret_sync_calls_error')).toEqual({ type: 'counter', samples: ['externalsecret_sync_calls_error{name="db",namespace="prod"} 1'] });
    expect(s.family('externalsecret_status_condition')).toEqual({ type: 'gauge', samples: [
      'externalsecret_status_condition{name="db",namespace="prod",condition="Ready",status="True"} 0',
      'externalsecret_status_condition{name="db",namespace="prod",condition="Ready",status="False"} 1',
    ] });
    // ESO's is a gauge of the last reconcile, in nanoseconds (Go's float64(time.Duration)).
    expect(s.family('externalsecret_reconcile_duration')).toEqual({ type: 'gauge', samples: ['externalsecret_reconcile_duration{name="db",namespace="prod"} 250000000'] });
    expect(s.family('externalsecret_provider_api_calls_count')).toEqual({ type: 'counter', samples: [
      'externalsecret_provider_api_calls_count{provider="AWS/SecretsManager",call="GetSecretValue",status="success"} 1',
    ] });
    expect(s.family('clusterexternalsecret_status_condition')).toEqual({ type: 'gauge', samples: [
      'clusterexternalsecret_status_condition{name="fanout",namespace="",condition="Ready",status="True"} 1',
    ] });
    expect(s.family('clusterexternalsecret_reconcile_duration')).toEqual({ type: 'gauge', samples: ['clusterexternalsecret_reconcile_duration{name="fanout",namespace=""} 1500000000'] });
    // No ESO name carries another type's suffixes (a histogram's _bucket, _sum, _count).
    expect(s.text).not.toMatch(/^(cluster)?externalsecret_\w+_(bucket|sum)\{/m);
  });

  it('adds ours under aws_secrets_operator_: durations as a histogram in seconds, errors by reason code', async () => {
    const m = operatorMetrics();
    m.reconcileObserver(m.reconcileDuration)('externalsecret', object(es), 0.25);
    m.reconcileObserver(m.clusterExternalSecrets.reconcileDuration)('clusterexternalsecret', object(ces), 1.5);
    m.syncErrorsByReason.inc({ ...es, reason: 'KubernetesAPIError' });
    m.stsCalls.inc({ kind: 'AssumeRole', outcome: 'success' });
    m.watchRestarts.inc({ resource: 'externalsecrets', cause: 'error' });
    const s = await scrape(m.registry);

    const histogram = 'aws_secrets_operator_reconcile_duration_seconds';
    expect(s.type(histogram)).toBe('histogram');
    expect(s.samples(`${histogram}_bucket`)).toContain(`${histogram}_bucket{le="0.1",controller="externalsecret"} 0`);
    expect(s.samples(`${histogram}_bucket`)).toContain(`${histogram}_bucket{le="0.25",controller="externalsecret"} 1`);
    expect(s.samples(`${histogram}_bucket`)).toContain(`${histogram}_bucket{le="+Inf",controller="externalsecret"} 1`);
    expect(s.samples(`${histogram}_bucket`)).toContain(`${histogram}_bucket{le="1",controller="clusterexternalsecret"} 0`);
    expect(s.samples(`${histogram}_bucket`)).toContain(`${histogram}_bucket{le="2.5",controller="clusterexternalsecret"} 1`);
    expect(s.samples(`${histogram}_sum`)).toEqual([`${histogram}_sum{controller="externalsecret"} 0.25`, `${histogram}_sum{controller="clusterexternalsecret"} 1.5`]);
    expect(s.samples(`${histogram}_count`)).toEqual([`${histogram}_count{controller="externalsecret"} 1`, `${histogram}_count{controller="clusterexternalsecret"} 1`]);
    // One histogram per controller, not per object.
    expect(s.text).not.toMatch(new RegExp(`^${histogram}_\\w+\\{[^}]*name=`, 'm'));

    expect(s.family('aws_secrets_operator_sync_errors_total')).toEqual({ type: 'counter', samples: [
      'aws_secrets_operator_sync_errors_total{name="db",namespace="prod",reason="KubernetesAPIError"} 1',
    ] });
    expect(s.family('aws_secrets_operator_sts_calls_total')).toEqual({ type: 'counter', samples: ['aws_secrets_operator_sts_calls_total{kind="AssumeRole",outcome="success"} 1'] });
    expect(s.family('aws_secrets_operator_watch_restarts_total')).toEqual({ type: 'counter', samples: [
      'aws_secrets_operator_watch_restarts_total{resource="externalsecrets",cause="error"} 1',
    ] });
  });

  it('counts every controller\'s reconciles by result: success, or the failure\'s reason code', async () => {
    const m = operatorMetrics();
    m.reconcileObserver(m.reconcileDuration)('externalsecret', object(es), 0.25);
    m.reconcileObserver()('secretstore', object({ name: 'aws', namespace: 'prod' }), 0.01, new OperatorError('UnsupportedProvider', 'vault'));
    m.reconcileObserver(m.reconcileDuration)('externalsecret', object(es), 0.5, new Error('not one of ours'));
    const s = await scrape(m.registry);
    expect(s.family('aws_secrets_operator_reconcile_total')).toEqual({ type: 'counter', samples: [
      'aws_secrets_operator_reconcile_total{controller="externalsecret",result="success"} 1',
      'aws_secrets_operator_reconcile_total{controller="secretstore",result="UnsupportedProvider"} 1',
      'aws_secrets_operator_reconcile_total{controller="externalsecret",result="InternalError"} 1',
    ] });
    expect(s.samples('aws_secrets_operator_reconcile_duration_seconds_count')).toEqual([
      'aws_secrets_operator_reconcile_duration_seconds_count{controller="externalsecret"} 2',
      'aws_secrets_operator_reconcile_duration_seconds_count{controller="secretstore"} 1',
    ]);
    // ESO's per-object gauge holds the last reconcile, failed or not; ESO has none for stores.
    expect(s.samples('externalsecret_reconcile_duration')).toEqual(['externalsecret_reconcile_duration{name="db",namespace="prod"} 500000000']);
  });

  it("includes the standard process and Node.js metrics, with the process's real figures", async () => {
    const s = await scrape(operatorMetrics().registry);
    expect(s.type('process_resident_memory_bytes')).toBe('gauge');
    expect(s.type('nodejs_heap_size_used_bytes')).toBe('gauge');
    expect(s.type('process_cpu_seconds_total')).toBe('counter');
    expect(s.type('process_start_time_seconds')).toBe('gauge');
    expect(s.type('nodejs_eventloop_lag_seconds')).toBe('gauge');
    expect(s.type('nodejs_gc_duration_seconds')).toBe('histogram');
    expect(s.type('nodejs_version_info')).toBe('gauge');
    const value = (name: string) => Number(s.samples(name)[0]?.split(' ').pop());
    expect(value('process_resident_memory_bytes')).toBeGreaterThan(1 << 20);
    expect(value('nodejs_heap_size_used_bytes')).toBeGreaterThan(1 << 20);
  });

  it('escapes label values and HELP text: a crafted reason cannot break a line or forge a sample', async () => {
    const m = operatorMetrics();
    const crafted = 'x"} 99\nexternalsecret_sync_calls_total{name="forged"} 1\\';
    m.syncErrorsByReason.inc({ ...es, reason: crafted });
    const s = await scrape(m.registry);
    expect(s.samples('aws_secrets_operator_sync_errors_total')).toEqual([
      'aws_secrets_operator_sync_errors_total{name="db",namespace="prod",reason="x\\"} 99\\nexternalsecret_sync_calls_total{name=\\"forged\\"} 1\\\\"} 1',
    ]);
    expect(s.samples('externalsecret_sync_calls_total')).toEqual([]);

    const registry = new Registry();
    new Gauge({ name: 'crafted_help', help: 'a \\ b\nc', registers: [registry] });
    expect((await registry.metrics()).split('\n')).toContain('# HELP crafted_help a \\\\ b\\nc');
  });

  it('gives each operator its own registry, sharing the process metrics rather than starting their monitors again', async () => {
    const resources = process.getActiveResourcesInfo().length;
    const [a, b] = [operatorMetrics(), operatorMetrics()];
    for (let i = 0; i < 20; i++) operatorMetrics();
    expect(process.getActiveResourcesInfo().length).toBe(resources);
    // collectDefaultMetrics ran once: every registry holds the same process metric objects.
    for (const name of ['process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_gc_duration_seconds']) {
      expect(a.registry.getSingleMetric(name)).toBeDefined();
      expect(a.registry.getSingleMetric(name)).toBe(b.registry.getSingleMetric(name));
    }
    a.syncCalls.inc(es);
    expect(await metricValue(a.syncCalls, es)).toBe(1);
    expect(await metricValue(b.syncCalls, es)).toBe(0);
    expect((await scrape(b.registry)).samples('externalsecret_sync_calls_total')).toEqual([]);
  });

  it('treats label order as irrelevant, and forgets exactly the series of an object that is gone', async () => {
    const c = new Counter({ name: 'x', help: 'x', labelNames: ['a', 'b'], registers: [] });
    c.inc({ a: '1', b: '2' });
    c.inc({ b: '2', a: '1' });
    expect(await metricValue(c, { a: '1', b: '2' })).toBe(2);

    const m = operatorMetrics();
    const other = { name: 'db', namespace: 'staging' };
    for (const labels of [es, other]) {
      m.syncCalls.inc(labels);
      m.statusCondition.set({ ...labels, condition: 'Ready', status: 'True' }, 1);
      m.statusCondition.set({ ...labels, condition: 'Ready', status: 'False' }, 0);
      m.reconcileObserver(m.reconcileDuration)('externalsecret', object(labels), 0.1);
    }
    forgetObject(m, es);
    const s = await scrape(m.registry);
    expect(s.samples('externalsecret_status_condition')).toEqual([
      'externalsecret_status_condition{name="db",namespace="staging",condition="Ready",status="True"} 1',
      'externalsecret_status_condition{name="db",namespace="staging",condition="Ready",status="False"} 0',
    ]);
    expect(s.samples('externalsecret_reconcile_duration')).toEqual(['externalsecret_reconcile_duration{name="db",namespace="staging"} 100000000']);
    // Counters stay, as ESO's do.
    expect(s.samples('externalsecret_sync_calls_total')).toHaveLength(2);
    expect(s.samples('aws_secrets_operator_reconcile_duration_seconds_count')).toEqual([
      'aws_secrets_operator_reconcile_duration_seconds_count{controller="externalsecret"} 2',
    ]);
  });

  it("marks a deleted ExternalSecret as ESO does: Ready series gone, condition Deleted status False at 1, until one of that name is Ready again", async () => {
    const m = operatorMetrics();
    setExternalSecretReady(m, es, true);
    m.reconcileObserver(m.reconcileDuration)('externalsecret', object(es), 0.1);
    markExternalSecretDeleted(m, es);
    expect((await scrape(m.registry)).samples('externalsecret_status_condition')).toEqual([
      'externalsecret_status_condition{name="db",namespace="prod",condition="Deleted",status="False"} 1',
    ]);
    expect((await scrape(m.registry)).samples('externalsecret_reconcile_duration')).toEqual([]);

    setExternalSecretReady(m, es, false);
    expect((await scrape(m.registry)).samples('externalsecret_status_condition')).toEqual([
      'externalsecret_status_condition{name="db",namespace="prod",condition="Ready",status="True"} 0',
      'externalsecret_status_condition{name="db",namespace="prod",condition="Ready",status="False"} 1',
    ]);
  });

  it('renders histograms in the Prometheus text format', async () => {
    const registry = new Registry();
    const h = new Histogram({ name: 'latency', help: 'Latency', buckets: [0.1, 1], registers: [registry] });
    h.observe(0.5);
    expect((await registry.metrics()).split('\n')).toEqual([
      '# HELP latency Latency', '# TYPE latency histogram',
      'latency_bucket{le="0.1"} 0', 'latency_bucket{le="1"} 1', 'latency_bucket{le="+Inf"} 1', 'latency_sum 0.5', 'latency_count 1',
      '',
    ]);
  });
});

describe('metrics server', () => {
  it('serves the registry on /metrics in the Prometheus text format, and the probes', async () => {
    const m = operatorMetrics();
    m.syncCalls.inc(es);
    let ready = false;
    const server = await startMetricsServer(m.registry, () => ready, 0, '127.0.0.1');
    try {
      const base = `http://127.0.0.1:${server.port}`;
      const res = await fetch(`${base}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      const text = await res.text();
      expect(text).toContain('externalsecret_sync_calls_total{name="db",namespace="prod"} 1');
      expect(text).toContain('# TYPE process_resident_memory_bytes gauge');
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/readyz`)).status).toBe(503);
      ready = true;
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      expect((await fetch(`${base}/nothing`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
