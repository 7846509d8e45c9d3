import type { ExternalSecret, TemplateFrom } from '../api/generated.ts';
import { OperatorError } from '../errors.ts';
import type { RenderedTarget } from './desired-secret.ts';
import { parseTemplate, renderTemplate, TemplateError, type TemplateData } from './template/index.ts';
import { parseStringMap } from './yaml-string-map.ts';

/** ConfigMaps and Secrets named by templateFrom, read from the ExternalSecret's namespace. */
export interface TemplateSources {
  configMaps: ReadonlyMap<string, Record<string, string>>;
  secrets: ReadonlyMap<string, Record<string, Uint8Array>>;
}

/** Names of the templateFrom sources a spec reads, so the caller can fetch them. */
export function templateSourceNames(es: ExternalSecret): { configMaps: string[]; secrets: string[] } {
  const from = es.spec.target?.template?.templateFrom ?? [];
  return {
    configMaps: [...new Set(from.flatMap((f) => (f.configMap ? [f.configMap.name] : [])))],
    secrets: [...new Set(from.flatMap((f) => (f.secret ? [f.secret.name] : [])))],
  };
}

/**
 * What the Secret's data, labels, annotations and type should be, in ESO's order:
 * without a template the provider data and the ExternalSecret's own labels and
 * annotations; with one, templateFrom in order, then template.data, then the
 * templated labels and annotations. Pure.
 */
export function renderTarget(es: ExternalSecret, providerData: Record<string, Uint8Array>, sources: TemplateSources): RenderedTarget {
  const template = es.spec.target?.template;
  if (!template) {
    return { data: providerData, labels: { ...es.metadata.labels }, annotations: { ...es.metadata.annotations } };
  }
  const labels: Record<string, string> = { ...template.metadata?.labels };
  const annotations: Record<string, string> = { ...template.metadata?.annotations };
  const data: Record<string, Uint8Array> = Object.create(null);
  const hasTemplates = Object.keys(template.data ?? {}).length > 0 || (template.templateFrom?.length ?? 0) > 0;
  if (template.mergePolicy === 'Merge' || !hasTemplates) Object.assign(data, providerData);

  const targets = { Data: data, Annotations: annotations, Labels: labels } as const;
  const put = (target: TemplateFrom['target'], key: string, value: Uint8Array) => {
    const into = targets[target ?? 'Data'];
    if (into === data) data[key] = value;
    else (into as Record<string, string>)[key] = Buffer.from(value).toString('utf8');
  };

  (template.templateFrom ?? []).forEach((from, i) => {
    const at = `spec.target.template.templateFrom[${i}]`;
    if (from.configMap) {
      const cm = sources.configMaps.get(from.configMap.name);
      if (!cm) throw new OperatorError('TemplateSourceInvalid', `${at}: ConfigMap "${from.configMap.name}" not found`);
      for (const item of from.configMap.items) {
        const text = cm[item.key];
        if (text === undefined) throw new OperatorError('TemplateSourceInvalid', `${at}: error in configmap ${from.configMap.name}: missing key ${item.key}`);
        apply(item.key, text, item.templateAs, from.target, providerData, put);
      }
    }
    if (from.secret) {
      const secret = sources.secrets.get(from.secret.name);
      if (!secret) throw new OperatorError('TemplateSourceInvalid', `${at}: Secret "${from.secret.name}" not found`);
      for (const item of from.secret.items) {
        const bytes = secret[item.key];
        if (bytes === undefined) throw new OperatorError('TemplateSourceInvalid', `${at}: error in secret ${from.secret.name}: missing key ${item.key}`);
        apply(item.key, Buffer.from(bytes).toString('utf8'), item.templateAs, from.target, providerData, put);
      }
    }
    if (from.literal !== undefined) apply('literal', from.literal, 'KeysAndValues', from.target, providerData, put);
  });

  for (const [key, text] of Object.entries(template.data ?? {})) data[key] = render(key, text, providerData);
  for (const [key, text] of Object.entries(template.metadata?.labels ?? {})) labels[key] = renderText(key, text, providerData);
  for (const [key, text] of Object.entries(template.metadata?.annotations ?? {})) annotations[key] = renderText(key, text, providerData);

  return { data, labels, annotations, ...(template.type ? { type: template.type } : {}) };
}

function apply(
  key: string,
  text: string,
  templateAs: 'Values' | 'KeysAndValues' | undefined,
  target: TemplateFrom['target'],
  values: TemplateData,
  put: (target: TemplateFrom['target'], key: string, value: Uint8Array) => void,
): void {
  const out = render(key, text, values);
  if ((templateAs ?? 'Values') === 'Values') return put(target, key, out);
  // KeysAndValues: the output is YAML whose keys and values are added.
  let map: Record<string, string> | undefined;
  try {
    map = parseStringMap(Buffer.from(out).toString('utf8'));
  } catch (err) {
    throw new OperatorError('TemplateFailed', `could not unmarshal template to 'map[string][]byte': template "${key}": ${(err as Error).message}`);
  }
  for (const [k, v] of Object.entries(map ?? {})) put(target, k, Buffer.from(v, 'utf8'));
}

function render(key: string, text: string, values: TemplateData): Uint8Array {
  try {
    return renderTemplate(parseTemplate(key, text), values);
  } catch (err) {
    if (err instanceof TemplateError) throw new OperatorError('TemplateFailed', `unable to execute template at key ${key}: ${err.message}`, { cause: err });
    throw err;
  }
}

const renderText = (key: string, text: string, values: TemplateData): string => Buffer.from(render(key, text, values)).toString('utf8');

/** Renders a rewrite.transform template, where `.value` is the key. */
export function renderTransform(template: string, key: string): string {
  return renderText('transform', template, { value: Buffer.from(key, 'utf8') });
}
