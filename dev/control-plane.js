import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, fetch } from 'undici';
import { createCertificates, createClientCertificate } from './certificates.js';
import { startProcess, waitUntil } from './child-process.js';
import { freePort } from './free-port.js';
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** kube-apiserver, etcd and kubectl: from KUBEBUILDER_ASSETS, or built once and cached. */
export function controlPlaneBinaries() {
    return execFileSync(join(repoRoot, 'scripts/controlplane-binaries.sh'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}
/**
 * A real etcd and kube-apiserver on random loopback ports, started with the flags
 * controller-runtime's envtest uses. No controller-manager runs, so there is no
 * garbage collection and no default ServiceAccount.
 */
export async function startControlPlane(options = {}) {
    const binDir = controlPlaneBinaries();
    const dir = mkdtempSync(join(tmpdir(), 'aws-secrets-operator-cp-'));
    const certificates = createCertificates(dir);
    let etcd;
    let apiserver;
    const stop = async () => {
        await apiserver?.stop();
        await etcd?.stop();
        if (!options.keepDir)
            rmSync(dir, { recursive: true, force: true });
    };
    try {
        const [clientPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
        const etcdUrl = `http://127.0.0.1:${clientPort}`;
        etcd = startProcess('etcd', join(binDir, 'etcd'), [
            `--data-dir=${join(dir, 'etcd')}`,
            `--listen-client-urls=${etcdUrl}`,
            `--advertise-client-urls=${etcdUrl}`,
            `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
            `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
            `--initial-cluster=default=http://127.0.0.1:${peerPort}`,
            // A throwaway store: durability buys nothing and fsync costs seconds.
            '--unsafe-no-fsync',
            '--log-level=warn',
        ], join(dir, 'etcd.log'));
        await waitUntil(etcd, 'health', async () => (await fetch(`${etcdUrl}/health`)).ok, 30_000);
        const server = `https://127.0.0.1:${apiPort}`;
        let starts = 0;
        const startApiserver = async () => {
            // Each run logs to its own file, so a restarted apiserver's log does not overwrite the first.
            const log = join(dir, starts++ === 0 ? 'kube-apiserver.log' : `kube-apiserver.${starts}.log`);
            const started = (apiserver = startProcess('kube-apiserver', join(binDir, 'kube-apiserver'), [
                `--etcd-servers=${etcdUrl}`,
                `--cert-dir=${dir}`,
                `--tls-cert-file=${certificates.servingCert}`,
                `--tls-private-key-file=${certificates.servingKey}`,
                `--client-ca-file=${certificates.caCert}`,
                `--secure-port=${apiPort}`,
                '--bind-address=127.0.0.1',
                '--advertise-address=127.0.0.1',
                '--service-cluster-ip-range=10.0.0.0/24',
                '--allow-privileged=true',
                '--disable-admission-plugins=ServiceAccount',
                '--authorization-mode=RBAC',
                '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
                `--service-account-key-file=${certificates.serviceAccountPub}`,
                `--service-account-signing-key-file=${certificates.serviceAccountKey}`,
                '--v=0',
            ], log));
            const agent = new Agent({
                connect: { ca: readFileSync(certificates.caCert), cert: readFileSync(certificates.adminCert), key: readFileSync(certificates.adminKey) },
            });
            try {
                await waitUntil(started, 'readyz', async () => (await fetch(`${server}/readyz`, { dispatcher: agent })).ok, 90_000);
                // RBAC bootstrap roles are created by a post-start hook that /readyz may report before it lands.
                await waitUntil(started, 'RBAC bootstrap', async () => (await fetch(`${server}/apis/rbac.authorization.k8s.io/v1/clusterroles/cluster-admin`, { dispatcher: agent })).ok, 30_000);
            }
            finally {
                await agent.close();
            }
        };
        await startApiserver();
        const admin = writeKubeconfig(join(dir, 'admin.kubeconfig'), server, certificates.caCert, certificates.adminCert, certificates.adminKey, 'admin');
        const kubeconfigFor = (user, groups = []) => {
            const { cert, key } = createClientCertificate(dir, user, groups);
            return writeKubeconfig(join(dir, `${user.replace(/[^a-z0-9-]/gi, '_')}.kubeconfig`), server, certificates.caCert, cert, key, user);
        };
        return {
            dir,
            server,
            kubeconfig: admin,
            binDir,
            certificates,
            kubeconfigFor,
            kubeconfigForServiceAccount(namespace, name) {
                return kubeconfigFor(`system:serviceaccount:${namespace}:${name}`, ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated']);
            },
            async stopApiserver(signal) {
                await apiserver?.stop(signal);
                apiserver = undefined;
            },
            async startApiserver() {
                if (apiserver)
                    throw new Error('kube-apiserver is running');
                await startApiserver();
            },
            stop,
        };
    }
    catch (err) {
        await stop();
        throw err;
    }
}
function writeKubeconfig(path, server, ca, cert, key, user) {
    const b64 = (file) => readFileSync(file).toString('base64');
    writeFileSync(path, [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '- name: local',
        '  cluster:',
        `    server: ${server}`,
        `    certificate-authority-data: ${b64(ca)}`,
        'users:',
        `- name: ${JSON.stringify(user)}`,
        '  user:',
        `    client-certificate-data: ${b64(cert)}`,
        `    client-key-data: ${b64(key)}`,
        'contexts:',
        '- name: local',
        '  context:',
        '    cluster: local',
        `    user: ${JSON.stringify(user)}`,
        'current-context: local',
        '',
    ].join('\n'), { mode: 0o600 });
    return path;
}
