import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { KubeClient } from '../../src/kube/client.ts';
import { inClusterConfig, loadDefaultKubeConfig, loadKubeConfigFiles, TokenFile } from '../../src/kube/kubeconfig.ts';
import { createCertificates, createClientCertificate } from '../../dev/certificates.ts';

let dir: string;
const cleanups: Array<() => unknown> = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kubeconfig-'));
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  rmSync(dir, { recursive: true, force: true });
});

/** Writes a file under the test directory (creating its folder) and returns its path. */
function put(path: string, content: string): string {
  const full = join(dir, path);
  mkdirSync(join(full, '..'), { recursive: true });
  writeFileSync(full, content);
  return full;
}

const kubeconfig = (o: { current?: string; clusters?: object; users?: object; contexts?: object }) => stringify({
  apiVersion: 'v1', kind: 'Config',
  ...(o.current ? { 'current-context': o.current } : {}),
  clusters: Object.entries(o.clusters ?? {}).map(([name, cluster]) => ({ name, cluster })),
  users: Object.entries(o.users ?? {}).map(([name, user]) => ({ name, user })),
  contexts: Object.entries(o.contexts ?? {}).map(([name, context]) => ({ name, context })),
});

describe('kubeconfig files', () => {
  it('reads the current context, with file paths relative to the kubeconfig\'s directory', async () => {
    put('conf/pki/ca.crt', 'CA');
    put('conf/pki/client.crt', 'CERT');
    put('conf/pki/client.key', 'KEY');
    put('conf/token', 'file-token\n');
    const path = put('conf/config', kubeconfig({
      current: 'dev',
      clusters: { k: { server: 'https://k.example:6443', 'certificate-authority': 'pki/ca.crt', 'tls-server-name': 'kubernetes' } },
      users: { u: { 'client-certificate': 'pki/client.crt', 'client-key': 'pki/client.key', tokenFile: 'token' } },
      contexts: { dev: { cluster: 'k', user: 'u', namespace: 'team' }, other: { cluster: 'nope', user: 'u' } },
    }));
    const config = loadKubeConfigFiles([path]);
    expect(config).toMatchObject({ server: 'https://k.example:6443', tlsServerName: 'kubernetes', namespace: 'team', insecureSkipTlsVerify: false });
    expect([config.ca?.toString(), config.cert?.toString(), config.key?.toString()]).toEqual(['CA', 'CERT', 'KEY']);
    expect(await config.authenticate!()).toEqual({ authorization: 'Bearer file-token' });
  });

  it('inline data, insecure-skip-tls-verify, a token, basic auth, and a named context', async () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const path = put('config', kubeconfig({
      current: 'a',
      clusters: { c: { server: 'https://c', 'certificate-authority-data': b64('CA'), 'insecure-skip-tls-verify': true } },
      users: { token: { token: 't0k', 'client-certificate-data': b64('CERT'), 'client-key-data': b64('KEY') }, basic: { username: 'ann', password: 'pw:1' } },
      contexts: { a: { cluster: 'c', user: 'token' }, b: { cluster: 'c', user: 'basic' }, anonymous: { cluster: 'c' } },
    }));
    const a = loadKubeConfigFiles([path]);
    expect([a.ca?.toString(), a.cert?.toString(), a.key?.toString(), a.insecureSkipTlsVerify]).toEqual(['CA', 'CERT', 'KEY', true]);
    expect(await a.authenticate!()).toEqual({ authorization: 'Bearer t0k' });
    expect(await loadKubeConfigFiles([path], { context: 'b' }).authenticate!()).toEqual({ authorization: `Basic ${b64('ann:pw:1')}` });
    expect(loadKubeConfigFiles([path], { context: 'anonymous' }).authenticate).toBeUndefined();
  });

  it('a KUBECONFIG list merges as kubectl does: the first file to set a name or current-context wins; missing files are skipped', async () => {
    put('one/ca.crt', 'CA one');
    put('two/ca.crt', 'CA two');
    const one = put('one/config', kubeconfig({
      clusters: { shared: { server: 'https://first', 'certificate-authority': 'ca.crt' } },
      contexts: { ctx: { cluster: 'shared', user: 'from-two' } },
    }));
    const two = put('two/config', kubeconfig({
      current: 'ctx',
      clusters: { shared: { server: 'https://second' }, own: { server: 'https://own', 'certificate-authority': 'ca.crt' } },
      users: { 'from-two': { token: 'two' } },
      contexts: { ctx: { cluster: 'own', user: 'from-two' }, mine: { cluster: 'own' } },
    }));
    const config = loadDefaultKubeConfig({ KUBECONFIG: [join(dir, 'missing'), one, two].join(':') });
    expect(config.server).toBe('https://first');
    expect(config.ca?.toString()).toBe('CA one');
    expect(await config.authenticate!()).toEqual({ authorization: 'Bearer two' });
    // An entry's relative paths are its own file's.
    const own = loadKubeConfigFiles([one, two], { context: 'mine' });
    expect([own.server, own.ca?.toString()]).toEqual(['https://own', 'CA two']);
  });

  it('without KUBECONFIG, ~/.kube/config', () => {
    put('home/.kube/config', kubeconfig({ current: 'x', clusters: { c: { server: 'https://home' } }, contexts: { x: { cluster: 'c' } } }));
    expect(loadDefaultKubeConfig({ HOME: join(dir, 'home') }).server).toBe('https://home');
    expect(() => loadDefaultKubeConfig({ HOME: join(dir, 'nobody') })).toThrow(/no Kubernetes configuration/);
  });

  it('says what is missing or unsupported', () => {
    const path = (o: Parameters<typeof kubeconfig>[0]) => put(`c${Math.random()}`, kubeconfig(o));
    expect(() => loadKubeConfigFiles([join(dir, 'none')])).toThrow(/no kubeconfig file found/);
    expect(() => loadKubeConfigFiles([path({ contexts: { x: {} } })])).toThrow(/no current-context/);
    expect(() => loadKubeConfigFiles([path({ current: 'y', contexts: { x: {} } })])).toThrow(/no context "y"/);
    expect(() => loadKubeConfigFiles([path({ current: 'x', contexts: { x: { cluster: 'c' } } })])).toThrow(/no cluster with a server/);
    expect(() => loadKubeConfigFiles([path({ current: 'x', clusters: { c: { server: 'https://c', 'proxy-url': 'http://proxy' } }, contexts: { x: { cluster: 'c' } } })]))
      .toThrow(/proxy-url is not supported/);
    expect(() => loadKubeConfigFiles([path({ current: 'x', clusters: { c: { server: 'https://c' } }, users: { u: { 'auth-provider': { name: 'oidc' } } }, contexts: { x: { cluster: 'c', user: 'u' } } })]))
      .toThrow(/auth-provider oidc is not supported/);
  });
});

describe('token files', () => {
  it('are read again once the last read is a minute old, keep the last token if the file is gone, and again at once after a refusal', () => {
    let now = 0;
    const path = put('token', 'one');
    const file = new TokenFile(path, () => now);
    expect(file.read()).toBe('one');
    writeFileSync(path, 'two');
    now = 59_999;
    expect(file.read()).toBe('one');
    now = 60_000;
    expect(file.read()).toBe('two');
    rmSync(path);
    now = 200_000;
    expect(file.read()).toBe('two');
    writeFileSync(path, 'three');
    file.expire();
    expect(file.read()).toBe('three');
  });
});

describe('in a cluster', () => {
  it('uses the service account: server from the environment, CA, namespace, and the token as the kubelet rotates it', async () => {
    let now = 0;
    put('sa/ca.crt', 'CA');
    put('sa/namespace', 'operators\n');
    const token = put('sa/token', 'first');
    const config = inClusterConfig({ KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' }, join(dir, 'sa'), { now: () => now });
    expect(config).toMatchObject({ server: 'https://10.0.0.1:443', namespace: 'operators' });
    expect(config.ca?.toString()).toBe('CA');
    expect(await config.authenticate!()).toEqual({ authorization: 'Bearer first' });
    writeFileSync(token, 'rotated');
    now = 60_000;
    expect(await config.authenticate!()).toEqual({ authorization: 'Bearer rotated' });
    expect(inClusterConfig({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '6443' }, join(dir, 'sa')).server).toBe('https://[fd00::1]:6443');
    expect(() => inClusterConfig({}, join(dir, 'sa'))).toThrow(/not in a cluster/);
  });
});

/**
 * A credential plugin: logs each run (its arguments, environment and KUBERNETES_EXEC_INFO)
 * and prints an ExecCredential of the apiVersion it was asked for; its first argument
 * chooses what it prints.
 */
function plugin(): { path: string; runs: () => any[] } {
  const log = join(dir, 'plugin-runs.log');
  const path = put('bin/plugin.mjs', `#!${process.execPath}
import { appendFileSync, readFileSync } from 'node:fs';
const [mode, ...rest] = process.argv.slice(2);
const info = JSON.parse(process.env.KUBERNETES_EXEC_INFO);
appendFileSync(${JSON.stringify(log)}, JSON.stringify({ mode, rest, info, greeting: process.env.GREETING }) + '\\n');
const run = readFileSync(${JSON.stringify(log)}, 'utf8').trim().split('\\n').length;
if (mode === 'fail') { console.error('no credentials for you'); process.exit(3); }
const status = mode === 'cert'
  ? { clientCertificateData: readFileSync(rest[0], 'utf8'), clientKeyData: readFileSync(rest[1], 'utf8') }
  : { token: 'token-' + run, ...(rest[0] ? { expirationTimestamp: rest[0] } : {}) };
console.log(JSON.stringify({ apiVersion: mode === 'wrong' ? 'v0' : info.apiVersion, kind: 'ExecCredential', status }));
`);
  chmodSync(path, 0o755);
  return { path, runs: () => readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l)) };
}

function execConfig(exec: object, server = 'https://c', now?: () => number) {
  const path = put('kube/config', kubeconfig({
    current: 'x', clusters: { c: { server, 'insecure-skip-tls-verify': true } },
    users: { u: { exec: { apiVersion: 'client.authentication.k8s.io/v1', ...exec } } }, contexts: { x: { cluster: 'c', user: 'u' } },
  }));
  return loadKubeConfigFiles([path], { now });
}

describe('exec credential plugins', () => {
  it('run with their args and env (a relative command from the kubeconfig\'s directory), cached until they expire', async () => {
    const { runs } = plugin();
    let now = Date.parse('2030-01-01T00:00:00Z');
    const config = execConfig({
      command: '../bin/plugin.mjs', args: ['token', '2030-01-01T00:10:00Z'], env: [{ name: 'GREETING', value: 'hello' }], provideClusterInfo: true,
    }, 'https://c', () => now);
    const [a, b] = await Promise.all([config.authenticate!(), config.authenticate!()]);
    expect(a).toEqual({ authorization: 'Bearer token-1' });
    expect(b).toEqual(a);
    now += 9 * 60_000;
    expect(await config.authenticate!()).toEqual({ authorization: 'Bearer token-1' });
    now += 60_000;
    expect(await config.authenticate!()).toEqual({ authorization: 'Bearer token-2' });
    expect(runs()).toHaveLength(2);
    expect(runs()[0]).toEqual({
      mode: 'token', rest: ['2030-01-01T00:10:00Z'], greeting: 'hello',
      info: { apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', spec: { interactive: false, cluster: { server: 'https://c', 'insecure-skip-tls-verify': true } } },
    });
  });

  it('without an expiry, a token is kept until the apiserver refuses it', async () => {
    const { path, runs } = plugin();
    const config = execConfig({ command: path, args: ['token'], apiVersion: 'client.authentication.k8s.io/v1beta1' });
    expect(await config.authenticate!()).toEqual({ authorization: 'Bearer token-1' });
    expect(await config.authenticate!()).toEqual({ authorization: 'Bearer token-1' });
    config.refused!();
    expect(await config.authenticate!()).toEqual({ authorization: 'Bearer token-2' });
    expect(runs().map((r) => r.info.apiVersion)).toEqual(['client.authentication.k8s.io/v1beta1', 'client.authentication.k8s.io/v1beta1']);
  });

  it('a failing plugin fails authentication with its own words, and runs again on the next call', async () => {
    const { path, runs } = plugin();
    const config = execConfig({ command: path, args: ['fail'], installHint: 'install the plugin' });
    await expect(config.authenticate!()).rejects.toThrow(/plugin\.mjs failed: .*no credentials for you/);
    await expect(config.authenticate!()).rejects.toThrow(/no credentials for you/);
    expect(runs()).toHaveLength(2);
    await expect(execConfig({ command: join(dir, 'absent'), installHint: 'install the plugin' }).authenticate!()).rejects.toThrow(/ENOENT.*install the plugin/);
    await expect(execConfig({ command: path, args: ['wrong'] }).authenticate!()).rejects.toThrow(/apiVersion "v0", expected ExecCredential/);
    expect(() => execConfig({ command: path, apiVersion: 'client.authentication.k8s.io/v1alpha1' })).toThrow(/is not supported/);
  });

  it('a client certificate from a plugin is what KubeClient presents', async () => {
    const certs = createCertificates(dir);
    const client = createClientCertificate(dir, 'exec-user');
    const server = createHttpsServer({ key: readFileSync(certs.servingKey), cert: readFileSync(certs.servingCert), ca: readFileSync(certs.caCert), requestCert: true, rejectUnauthorized: true },
      (req, res) => res.end(JSON.stringify({ user: (req.socket as TLSSocket).getPeerCertificate().subject.CN })));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => server.close(r)));
    const { path } = plugin();
    const config = execConfig({ command: path, args: ['cert', client.cert, client.key] }, `https://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const kube = new KubeClient(config, { probeIntervalMs: 60_000 });
    cleanups.push(() => kube.close());
    expect(await kube.get('/whoami')).toEqual({ user: 'exec-user' });
  });

  it('KubeClient sends the token, and after a 401 asks the plugin for a new one', async () => {
    const seen: string[] = [];
    const server = createHttpServer((req, res) => {
      seen.push(req.headers.authorization ?? '');
      res.statusCode = req.headers.authorization === 'Bearer token-1' ? 401 : 200;
      res.end(JSON.stringify({ kind: 'Status', reason: res.statusCode === 401 ? 'Unauthorized' : undefined }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => server.close(r)));
    const { path } = plugin();
    const kube = new KubeClient(execConfig({ command: path, args: ['token'] }, `http://127.0.0.1:${(server.address() as AddressInfo).port}`), { probeIntervalMs: 60_000 });
    cleanups.push(() => kube.close());
    await expect(kube.get('/api')).rejects.toMatchObject({ status: 401 });
    expect(await kube.get('/api')).toEqual({ kind: 'Status' });
    expect(seen).toEqual(['Bearer token-1', 'Bearer token-2']);
  });
});
