import { applyManifest, parseManifests } from '../../dev/apply.ts';
import { DEFAULT_RELEASE, renderChart } from '../../dev/chart.ts';
import { KubeClient } from '../../src/kube/client.ts';
import { loadKubeConfigFiles } from '../../src/kube/kubeconfig.ts';
import { serviceAccounts } from '../../src/kube/resources.ts';

/**
 * An operator identity whose permissions are the chart's with genericTargets.enabled=true (release
 * aso-generic-targets): see chartIdentity.
 */
export const genericTargetsIdentity = (admin: KubeClient, adminKubeconfig: string): Promise<{ kube: KubeClient; rules: any[] }> =>
  chartIdentity(admin, adminKubeconfig, 'aso-generic-targets', ['genericTargets.enabled=true']);

/**
 * An operator identity whose permissions are the chart's with these values set: the chart rendered as a release of
 * its own (so its ClusterRole and binding sit beside the suite's default ones instead of replacing them), its
 * ServiceAccount, ClusterRole and ClusterRoleBinding applied, and a client that authenticates with a bound token of
 * that ServiceAccount. The rendered rules alone decide what the client may do.
 */
export async function chartIdentity(admin: KubeClient, adminKubeconfig: string, release: string, set: string[]): Promise<{ kube: KubeClient; rules: any[] }> {
  const rendered = parseManifests(renderChart({ release, set: [...set, 'crds.install=false'] }));
  for (const manifest of rendered.filter((m) => ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding'].includes(m.kind))) {
    await applyManifest(admin, manifest);
  }
  const serviceAccount = rendered.find((m) => m.kind === 'ServiceAccount');
  const request = await admin.request<any>('POST', serviceAccounts.path(DEFAULT_RELEASE.namespace, serviceAccount.metadata.name, 'token'), {
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } },
  });
  const { server, ca } = loadKubeConfigFiles([adminKubeconfig]);
  const token = request.status.token as string;
  const kube = new KubeClient({ server, ...(ca ? { ca } : {}), authenticate: async () => ({ authorization: `Bearer ${token}` }) });
  return { kube, rules: rendered.find((m) => m.kind === 'ClusterRole').rules };
}
