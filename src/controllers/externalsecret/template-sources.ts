import type { ExternalSecret } from '../../api/generated.ts';
import { isNotFound, type KubeClient } from '../../kube/client.ts';
import { configMaps, secrets } from '../../kube/resources.ts';
import { decodeData } from '../../sync/desired-secret.ts';
import { templateSourceNames, type TemplateSources } from '../../sync/render-target.ts';

/** Reads the ConfigMaps and Secrets templateFrom names, from the ExternalSecret's own namespace only. */
export async function readTemplateSources(kube: KubeClient, es: ExternalSecret): Promise<TemplateSources> {
  const names = templateSourceNames(es);
  const namespace = es.metadata.namespace!;
  const read = async (path: string) => {
    try {
      return await kube.get(path);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  };
  const sources: TemplateSources = { configMaps: new Map(), secrets: new Map() };
  for (const name of names.configMaps) {
    const cm = await read(configMaps.path(namespace, name));
    if (cm) (sources.configMaps as Map<string, Record<string, string>>).set(name, cm.data ?? {});
  }
  for (const name of names.secrets) {
    const secret = await read(secrets.path(namespace, name));
    if (!secret) continue;
    (sources.secrets as Map<string, Record<string, Uint8Array>>).set(name, decodeData(secret.data));
  }
  return sources;
}
