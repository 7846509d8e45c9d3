import { describe, expect, it } from 'vitest';
import type { PodSpec, Workload } from '../../src/api/core.ts';
import { rollingRestartFrom } from '../../src/controllers/externalsecret/rollout-restart.ts';
import { restartedAt, restartReason, restartRequestOf, type ChangedSecret } from '../../src/sync/restart-targets.ts';

const NAMED = "named in the ExternalSecret's annotation aws-secrets-operator.io/restart";

const workload = (name: string, annotations: Record<string, string> = {}, spec: PodSpec = { containers: [{}] }, podAnnotations?: Record<string, string>): Workload =>
  ({ metadata: { name, annotations }, spec: { template: { ...(podAnnotations ? { metadata: { annotations: podAnnotations } } : {}), spec } } });
const secret = (name: string, annotations?: Record<string, string>): ChangedSecret => ({ name, ...(annotations ? { annotations } : {}) });
const none = new Set<string>();
/** The Reloader rule that restarts a Deployment for Secret `db`, if any. */
const rule = (w: Workload, s: ChangedSecret = secret('db')) => restartReason('Deployment', w, s, none);

const usesInEnv: PodSpec = { containers: [{ env: [{ valueFrom: { secretKeyRef: { name: 'db' } } }] }] };

describe('the annotation aws-secrets-operator.io/restart', () => {
  it('reads <kind>/<name> entries with the kind names kubectl accepts, in any case, with or without the group', () => {
    const { named, problems } = restartRequestOf(' deployment/web, Deploy/api ,DEPLOYMENTS/worker,deployment.apps/a,deployments.v1.apps/b,'
      + 'sts/db,StatefulSet/cache,statefulsets/queue,ds/agent,DaemonSet/logs,daemonsets/node.exporter,');
    expect(problems).toEqual([]);
    expect([...named]).toEqual(['Deployment/web', 'Deployment/api', 'Deployment/worker', 'Deployment/a', 'Deployment/b', 'StatefulSet/db',
      'StatefulSet/cache', 'StatefulSet/queue', 'DaemonSet/agent', 'DaemonSet/logs', 'DaemonSet/node.exporter']);
  });

  it('reports each entry it cannot read, naming it and why, and keeps the others', () => {
    const { named, problems } = restartRequestOf('deployment/web,pod/x,web,deployment/Web,deployment/a/b,cronjob/nightly,,deployment/-x,statefulset/ok');
    expect([...named]).toEqual(['Deployment/web', 'StatefulSet/ok']);
    expect(problems).toEqual([
      'entry "pod/x" names no kind that can be restarted: deployment (deploy), statefulset (sts) or daemonset (ds)',
      'entry "web" is not <kind>/<name> (e.g. deployment/web)',
      'entry "deployment/Web" has no valid name: a lowercase DNS subdomain of at most 253 characters (letters, digits, \'-\' and \'.\')',
      'entry "deployment/a/b" is not <kind>/<name> (e.g. deployment/web)',
      'entry "cronjob/nightly" names no kind that can be restarted: deployment (deploy), statefulset (sts) or daemonset (ds)',
      'entry "deployment/-x" has no valid name: a lowercase DNS subdomain of at most 253 characters (letters, digits, \'-\' and \'.\')',
    ]);
    expect(restartRequestOf(`deployment/${'a'.repeat(254)}`).problems).toHaveLength(1);
    expect(restartRequestOf(`deployment/${'a'.repeat(253)}`).problems).toEqual([]);
  });

  it('reads at most 50 entries, and says that the rest were dropped; empty or absent asks for nothing', () => {
    const entries = Array.from({ length: 5000 }, (_, i) => `deploy/w${i}`).join(',');
    const { named, problems } = restartRequestOf(entries);
    expect(named.size).toBe(50);
    expect(named.has('Deployment/w49')).toBe(true);
    expect(named.has('Deployment/w50')).toBe(false);
    expect(problems).toEqual(['more than 50 entries: only the first 50 are used']);
    for (const empty of [undefined, '', ' , ,']) expect(restartRequestOf(empty)).toEqual({ named: new Set(), problems: [] });
  });
});

describe('which workloads a change restarts', () => {
  it('a workload the ExternalSecret names, of that kind only, whatever it uses and whatever Reloader annotations say', () => {
    const named = new Set(['Deployment/web']);
    expect(restartReason('Deployment', workload('web'), secret('db'), named)).toBe(NAMED);
    expect(restartReason('StatefulSet', workload('web'), secret('db'), named)).toBeUndefined();
    expect(restartReason('Deployment', workload('api'), secret('db'), named)).toBeUndefined();
    expect(restartReason('Deployment', workload('web', { 'secrets.exclude.reloader.stakater.com/reload': 'db' }), secret('db', { 'reloader.stakater.com/ignore': 'true' }), named)).toBe(NAMED);
  });

  it('secret.reloader.stakater.com/reload: comma-separated names, trimmed, whether the pod template uses the Secret or not', () => {
    expect(rule(workload('w', { 'secret.reloader.stakater.com/reload': 'cache, db ' }))).toBe('its annotation secret.reloader.stakater.com/reload');
    expect(rule(workload('w', { 'secret.reloader.stakater.com/reload': 'cache,dbx' }))).toBeUndefined();
    expect(rule(workload('w', { 'secret.reloader.stakater.com/reload': '' }))).toBeUndefined();
    // ConfigMap annotations are not about Secrets.
    expect(rule(workload('w', { 'configmap.reloader.stakater.com/reload': 'db' }))).toBeUndefined();
  });

  it('reload items are Go regexps anchored as ^item$ (so "a|b" reads ^a or b$, as in Reloader); an invalid one matches nothing', () => {
    expect(rule(workload('w', { 'secret.reloader.stakater.com/reload': 'd.' })), 'd.').toBeDefined();
    expect(rule(workload('w', { 'secret.reloader.stakater.com/reload': 'app-.*' }), secret('app-db'))).toBeDefined();
    expect(rule(workload('w', { 'secret.reloader.stakater.com/reload': 'd' }))).toBeUndefined();
    expect(rule(workload('w', { 'secret.reloader.stakater.com/reload': 'x|d' }), secret('dbx'))).toBeUndefined();
    expect(rule(workload('w', { 'secret.reloader.stakater.com/reload': 'd|x' }), secret('dbx'))).toBeDefined();
    expect(rule(workload('w', { 'secret.reloader.stakater.com/reload': '(db,db' }))).toBeDefined();
    expect(rule(workload('w', { 'secret.reloader.stakater.com/reload': '(db' }), secret('(db'))).toBeUndefined();
    // Go's syntax, not JavaScript's: a lookahead is no Go regexp.
    expect(rule(workload('w', { 'secret.reloader.stakater.com/reload': '(?=d)db' }))).toBeUndefined();
  });

  it('reloader.stakater.com/auto and secret.reloader.stakater.com/auto, true as Go\'s ParseBool reads it, only when the pod template uses the Secret', () => {
    for (const value of ['true', 'True', 'TRUE', 't', 'T', '1']) {
      expect(rule(workload('w', { 'reloader.stakater.com/auto': value }, usesInEnv))).toBe('its annotation reloader.stakater.com/auto');
      expect(rule(workload('w', { 'secret.reloader.stakater.com/auto': value }, usesInEnv))).toBe('its annotation secret.reloader.stakater.com/auto');
    }
    for (const value of ['false', 'yes', 'on', '']) expect(rule(workload('w', { 'reloader.stakater.com/auto': value }, usesInEnv)), value).toBeUndefined();
    expect(rule(workload('w', { 'configmap.reloader.stakater.com/auto': 'true' }, usesInEnv))).toBeUndefined();
    expect(rule(workload('w', { 'reloader.stakater.com/auto': 'true' }, { containers: [{ env: [{ valueFrom: { secretKeyRef: { name: 'other' } } }] }] }))).toBeUndefined();
  });

  it('auto on, the Secret not used: not restarted even when the reload list names it (Reloader decides auto first, alone)', () => {
    expect(rule(workload('w', { 'reloader.stakater.com/auto': 'true', 'secret.reloader.stakater.com/reload': 'db' }))).toBeUndefined();
    expect(rule(workload('w', { 'reloader.stakater.com/auto': 'false', 'secret.reloader.stakater.com/reload': 'db' }))).toBe('its annotation secret.reloader.stakater.com/reload');
  });

  it('"uses" is Reloader\'s: env secretKeyRef, envFrom secretRef, a mounted secret or projected volume, in containers or init containers', () => {
    const auto = (spec: PodSpec) => rule(workload('w', { 'reloader.stakater.com/auto': 'true' }, spec));
    expect(auto({ containers: [{ envFrom: [{ secretRef: { name: 'db' } }] }] })).toBeDefined();
    expect(auto({ containers: [{}], initContainers: [{ env: [{ valueFrom: { secretKeyRef: { name: 'db' } } }] }] })).toBeDefined();
    expect(auto({ volumes: [{ name: 'v', secret: { secretName: 'db' } }], containers: [{ volumeMounts: [{ name: 'v' }] }] })).toBeDefined();
    expect(auto({ volumes: [{ name: 'v', projected: { sources: [{}, { secret: { name: 'db' } }] } }], containers: [{}], initContainers: [{ volumeMounts: [{ name: 'v' }] }] })).toBeDefined();
    // A volume no container mounts does not count; nor, as in Reloader, a second volume of the Secret after an unmounted first.
    expect(auto({ volumes: [{ name: 'v', secret: { secretName: 'db' } }], containers: [{ volumeMounts: [{ name: 'other' }] }] })).toBeUndefined();
    expect(auto({ volumes: [{ name: 'a', secret: { secretName: 'db' } }, { name: 'b', secret: { secretName: 'db' } }], containers: [{ volumeMounts: [{ name: 'b' }] }] })).toBeUndefined();
    expect(auto({ containers: [{ envFrom: [{ secretRef: { name: 'dbx' } }] }] })).toBeUndefined();
  });

  it('reloader.stakater.com/search: "true" with the Secret annotated reloader.stakater.com/match: "true", when the pod template uses it', () => {
    const matched = secret('db', { 'reloader.stakater.com/match': 'true' });
    expect(rule(workload('w', { 'reloader.stakater.com/search': 'true' }, usesInEnv), matched)).toBe('its annotation reloader.stakater.com/search (the Secret has reloader.stakater.com/match)');
    expect(rule(workload('w', { 'reloader.stakater.com/search': 'true' }), matched)).toBeUndefined();
    expect(rule(workload('w', { 'reloader.stakater.com/search': 'True' }, usesInEnv), matched)).toBeUndefined();
    expect(rule(workload('w', { 'reloader.stakater.com/search': 'true' }, usesInEnv), secret('db', { 'reloader.stakater.com/match': 'True' }))).toBeUndefined();
    expect(rule(workload('w', { 'reloader.stakater.com/search': 'true' }, usesInEnv))).toBeUndefined();
  });

  it('reads the pod template\'s annotations only when the workload has none of reload, auto, secret auto and search', () => {
    expect(rule(workload('w', {}, usesInEnv, { 'reloader.stakater.com/auto': 'true' }))).toBe('its annotation reloader.stakater.com/auto');
    expect(rule(workload('w', {}, { containers: [{}] }, { 'secret.reloader.stakater.com/reload': 'db' }))).toBeDefined();
    // Present on the workload, even as "false": the pod template is not read.
    expect(rule(workload('w', { 'reloader.stakater.com/auto': 'false' }, usesInEnv, { 'reloader.stakater.com/auto': 'true' }))).toBeUndefined();
  });

  it('secrets.exclude.reloader.stakater.com/reload on the workload (not its pod template) and reloader.stakater.com/ignore on the Secret stop Reloader\'s rules', () => {
    const auto = { 'reloader.stakater.com/auto': 'true' };
    expect(rule(workload('w', { ...auto, 'secrets.exclude.reloader.stakater.com/reload': 'cache, db' }, usesInEnv))).toBeUndefined();
    expect(rule(workload('w', { ...auto, 'secrets.exclude.reloader.stakater.com/reload': 'd.' }, usesInEnv))).toBeDefined();
    expect(rule(workload('w', {}, usesInEnv, { ...auto, 'secrets.exclude.reloader.stakater.com/reload': 'db' }))).toBeDefined();
    expect(rule(workload('w', { 'secret.reloader.stakater.com/reload': 'db' }), secret('db', { 'reloader.stakater.com/ignore': 'true' }))).toBeUndefined();
    expect(rule(workload('w', { 'secret.reloader.stakater.com/reload': 'db' }), secret('db', { 'reloader.stakater.com/ignore': 'True' }))).toBeDefined();
  });
});

describe('the restart patch\'s value', () => {
  it('is kubectl\'s: Go\'s time.RFC3339 in UTC, whole seconds', () => {
    expect(restartedAt(Date.parse('2026-12-03T10:14:02.987Z'), undefined)).toBe('2026-12-03T10:14:02Z');
    expect(restartedAt(Date.parse('2026-12-03T10:14:02.987Z'), '2026-12-03T09:00:00Z')).toBe('2026-12-03T10:14:02Z');
    expect(restartedAt(Date.parse('2026-12-03T10:14:02.987Z'), 'not a time')).toBe('2026-12-03T10:14:02Z');
  });

  it('moves past a value already there of that second or later, so that the patch changes the template', () => {
    expect(restartedAt(Date.parse('2026-12-03T10:14:02.500Z'), '2026-12-03T10:14:02Z')).toBe('2026-12-03T10:14:03Z');
    expect(restartedAt(Date.parse('2026-12-03T10:14:02.500Z'), '2026-12-03T11:14:02+01:00')).toBe('2026-12-03T10:14:03Z');
    expect(restartedAt(Date.parse('2026-12-03T10:14:02.500Z'), '2026-12-03T10:20:00Z')).toBe('2026-12-03T10:20:01Z');
  });
});

describe('ROLLING_RESTART', () => {
  it('is off unless "true"; unset, empty or "false" is off; anything else is refused, naming the setting', () => {
    expect(rollingRestartFrom('true')).toBe(true);
    for (const off of [undefined, '', 'false']) expect(rollingRestartFrom(off)).toBe(false);
    for (const bad of ['yes', 'True', '1']) expect(() => rollingRestartFrom(bad)).toThrow(`ROLLING_RESTART "${bad}" is neither "true" nor "false"`);
  });
});
