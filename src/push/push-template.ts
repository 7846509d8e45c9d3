import type { ExternalSecret, PushSecret } from '../api/generated.ts';
import { readTemplateSources } from '../controllers/externalsecret/template-sources.ts';
import { timeSourceOf } from '../go/time/time.ts';
import type { KubeClient } from '../kube/client.ts';
import type { Clock } from '../kube/clock.ts';
import { renderTarget } from '../sync/render-target.ts';
import type { SecretBytes } from './push-value.ts';

/**
 * spec.template, as ESO's PushSecret applies it (pushsecret_controller_template.go): the template
 * renders over the source Secret's data and its results are laid over that data in memory (the
 * Secret itself is never written): templateFrom first, then template.data. ESO keeps the source
 * keys whatever mergePolicy says, so the ExternalSecret renderer runs as for mergePolicy Merge.
 * templateFrom reads ConfigMaps and Secrets of the PushSecret's namespace only.
 */
export async function applyPushTemplate(kube: KubeClient, clock: Clock, ps: PushSecret, data: SecretBytes): Promise<SecretBytes> {
  const template = ps.spec.template;
  if (!template) return data;
  // The renderer and the source reader take an ExternalSecret: this one carries only what they read.
  const asExternalSecret = {
    apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret',
    metadata: { name: ps.metadata.name, namespace: ps.metadata.namespace },
    spec: { target: { template: { ...template, mergePolicy: 'Merge' } } },
  } as ExternalSecret;
  const sources = await readTemplateSources(kube, asExternalSecret);
  return renderTarget(asExternalSecret, { ...data }, sources, 'Secret', timeSourceOf(clock)).data;
}
