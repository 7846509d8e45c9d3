import type { ExternalSecret, TemplateRef } from '../api/generated.ts';
import { OperatorError } from '../errors.ts';
import { decodeValue } from './decoding.ts';
import type { RenderedTarget } from './desired-secret.ts';
import { MAX_ANNOTATION_BYTES, SizeTally } from './secret-size.ts';
import { parseTemplate, RenderBudget, renderTemplate, TemplateDot, TemplateError, type Template } from '../go/template/index.ts';
import type { TimeSource } from '../go/time/time.ts';
import { parseStringMap, YamlTooLargeError } from '../go/yaml-string-map.ts';
import { parseYamlValue } from '../go/yaml-value.ts';
import type { TargetKind } from './target-kind.ts';

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

/** What the templates of one reconcile share: the data as `.`, converted once, and one budget. */
interface Renderer {
  readonly dot: TemplateDot;
  readonly budget: RenderBudget;
}

/**
 * Where a templateFrom's output goes: ESO's templateFrom[].target as its template engine reads it.
 * Data, Annotations and Labels in any case (ESO compares them lowercased); for a ConfigMap also
 * `data.<key>`, ESO's nested path into the ConfigMap's data (case kept, as ESO keeps it for paths).
 */
type Destination = { to: 'data' | 'annotations' | 'labels' } | { to: 'dataKey'; key: string };

/**
 * The destination of `target`, or the reason it has none. For a Secret, as ESO's webhook and
 * controller refuse them (a path could reach type, immutable or metadata), any other value is
 * InvalidSpec; the schema refuses it already at apply, so only an object stored before that rule
 * gets here. For a ConfigMap, ESO writes any other path into the object, where it lands in an
 * unknown field the apiserver drops, or in a field such as metadata.finalizers: UnsupportedField,
 * named, instead of silently writing nothing or more than the data.
 */
function destination(target: string | undefined, kind: TargetKind, at: string): Destination {
  if (target === undefined || target === '') return { to: 'data' };
  const name = target.toLowerCase();
  if (name === 'data' || name === 'annotations' || name === 'labels') return { to: name };
  if (kind === 'Secret') {
    throw new OperatorError('InvalidSpec', `${at}.target: templateFrom target=${JSON.stringify(target)} is not allowed when targeting a Secret, `
      + 'must be one of "Data", "Annotations" or "Labels"');
  }
  const dataKey = /^data\.([^.[\]]+)$/.exec(target);
  if (dataKey) return { to: 'dataKey', key: dataKey[1]! };
  throw new OperatorError('UnsupportedField', `${at}.target: ${JSON.stringify(target)} is not a place this operator writes in a ConfigMap; `
    + 'use Data, Annotations or Labels (any case), or data.<key>');
}

/**
 * What the Secret's (or ConfigMap's) data, labels, annotations and type should be, in ESO's
 * order: without a template the provider data and the ExternalSecret's own labels and
 * annotations; with one, templateFrom in order, then template.data, then the templated
 * labels and annotations. Pure. A templateFrom entry's valuesDecodingStrategy decodes what it
 * renders (decoding.ts), key by key.
 *
 * All the templates share one RenderBudget, so many keys cannot multiply the bounds
 * of template/limits.ts; the data and the annotations are counted as they are put,
 * and fail as soon as they pass what Kubernetes accepts (SecretTooLarge, naming the kind). `time` is
 * the clock sprig's `now` reads (the reconciler's), the system's if not given.
 */
export function renderTarget(
  es: ExternalSecret, providerData: Record<string, Uint8Array>, sources: TemplateSources, kind: TargetKind = 'Secret', time?: TimeSource,
): RenderedTarget {
  const template = es.spec.target?.template;
  if (!template) {
    return { data: providerData, labels: { ...es.metadata.labels }, annotations: { ...es.metadata.annotations } };
  }
  const labels: Record<string, string> = { ...template.metadata?.labels };
  const annotations: Record<string, string> = { ...template.metadata?.annotations };
  const data: Record<string, Uint8Array> = Object.create(null);
  const dataSize = new SizeTally(`the ${kind}'s data`, undefined, kind);
  const annotationSize = new SizeTally(`the ${kind}'s annotations`, MAX_ANNOTATION_BYTES, kind);
  // Labels have no total limit in Kubernetes, but a valid value has at most 63 characters:
  // the annotations' limit is far above any valid set, and keeps rendered labels small.
  const labelSize = new SizeTally(`the ${kind}'s labels`, MAX_ANNOTATION_BYTES, kind);
  const putData = (key: string, value: Uint8Array): void => {
    dataSize.set(key, value.length);
    data[key] = value;
  };
  const putAnnotation = (key: string, value: string): void => {
    annotationSize.set(key, key.length + value.length);
    annotations[key] = value;
  };
  const putLabel = (key: string, value: string): void => {
    labelSize.set(key, key.length + value.length);
    labels[key] = value;
  };
  const renderer: Renderer = { dot: new TemplateDot(providerData), budget: new RenderBudget({ time }) };
  const hasTemplates = Object.keys(template.data ?? {}).length > 0 || (template.templateFrom?.length ?? 0) > 0;
  if (template.mergePolicy === 'Merge' || !hasTemplates) for (const [key, value] of Object.entries(providerData)) putData(key, value);

  const put = (where: Destination, key: string, value: Uint8Array) => {
    if (where.to === 'data') return putData(key, value);
    if (where.to === 'dataKey') return putData(where.key, value);
    const text = Buffer.from(value).toString('utf8');
    if (where.to === 'annotations') putAnnotation(key, text);
    else putLabel(key, text);
  };

  (template.templateFrom ?? []).forEach((from, i) => {
    const at = `spec.target.template.templateFrom[${i}]`;
    const where = destination(from.target, kind, at);
    // valuesDecodingStrategy (ESO 2.9): each value this entry renders is decoded before it is placed,
    // in Data, Labels or Annotations; template.data is never decoded.
    const place = (to: Destination, key: string, value: Uint8Array): void =>
      put(to, key, decodeValue(value, from.valuesDecodingStrategy, `${at} key ${JSON.stringify(key)}`));
    // ESO's words for a missing source or key, which name its kind.
    const items = <V>(kind: 'ConfigMap' | 'Secret', ref: TemplateRef, values: ReadonlyMap<string, Readonly<Record<string, V>>>, text: (value: V) => string) => {
      const source = values.get(ref.name);
      if (!source) throw new OperatorError('TemplateSourceInvalid', `${at}: ${kind} "${ref.name}" not found`);
      for (const item of ref.items) {
        const value = source[item.key];
        if (value === undefined) throw new OperatorError('TemplateSourceInvalid', `${at}: error in ${kind.toLowerCase()} ${ref.name}: missing key ${item.key}`);
        apply(item.key, text(value), item.templateAs, where, at, renderer, place);
      }
    };
    if (from.configMap) items('ConfigMap', from.configMap, sources.configMaps, (text) => text);
    if (from.secret) items('Secret', from.secret, sources.secrets, (bytes) => Buffer.from(bytes).toString('utf8'));
    if (from.literal !== undefined) apply('literal', from.literal, 'KeysAndValues', where, at, renderer, place);
  });

  for (const [key, text] of Object.entries(template.data ?? {})) putData(key, render(key, text, renderer));
  for (const [key, text] of Object.entries(template.metadata?.labels ?? {})) putLabel(key, renderText(key, text, renderer));
  for (const [key, text] of Object.entries(template.metadata?.annotations ?? {})) putAnnotation(key, renderText(key, text, renderer));

  return { data, labels, annotations, ...(template.type ? { type: template.type } : {}) };
}

function apply(
  key: string,
  text: string,
  templateAs: 'Values' | 'KeysAndValues' | undefined,
  where: Destination,
  at: string,
  renderer: Renderer,
  put: (where: Destination, key: string, value: Uint8Array) => void,
): void {
  const out = render(key, text, renderer);
  const values = (templateAs ?? 'Values') === 'Values';
  if (where.to === 'dataKey') return put(where, key, dataKeyValue(Buffer.from(out).toString('utf8'), values, where.key, key, at));
  if (values) return put(where, key, out);
  // KeysAndValues: the output is YAML whose keys and values are added.
  let map: Record<string, string> | undefined;
  try {
    map = parseStringMap(Buffer.from(out).toString('utf8'));
  } catch (err) {
    const code = err instanceof YamlTooLargeError ? 'TemplateLimitExceeded' : 'TemplateFailed';
    throw new OperatorError(code, `could not unmarshal template to 'map[string][]byte': template "${key}": ${(err as Error).message}`);
  }
  for (const [k, v] of Object.entries(map ?? {})) put(where, k, Buffer.from(v, 'utf8'));
}

/**
 * The value ESO puts at data.<key> of a ConfigMap: the output read as YAML (for Values, the text
 * itself when it is not valid YAML, as ESO's tryParseYAML; for KeysAndValues, invalid YAML is an
 * error, as ESO's). A ConfigMap's data holds strings: any other YAML value (a number, true, a map)
 * would be refused by the apiserver when ESO writes it, and is TargetRejected here, before writing.
 */
function dataKeyValue(output: string, values: boolean, dataKey: string, key: string, at: string): Uint8Array {
  let parsed: ReturnType<typeof parseYamlValue>;
  try {
    parsed = parseYamlValue(output);
  } catch (err) {
    if (err instanceof YamlTooLargeError) throw new OperatorError('TemplateLimitExceeded', `${at}: template "${key}": ${err.message}`);
    if (values) return Buffer.from(output, 'utf8');
    throw new OperatorError('TemplateFailed', `could not unmarshal template YAML: template "${key}": ${(err as Error).message}`);
  }
  if ('other' in parsed) {
    throw new OperatorError('TargetRejected', `${at}: template "${key}" renders a YAML ${parsed.other} for data.${dataKey}, and a ConfigMap's data holds `
      + 'only strings; quote the output in the template');
  }
  return Buffer.from(parsed.string, 'utf8');
}

/** A TemplateError as an OperatorError: a bound of template/limits.ts is TemplateLimitExceeded, not retried. */
function templateFailure(key: string, err: TemplateError): OperatorError {
  const code = err.limit ? 'TemplateLimitExceeded' : 'TemplateFailed';
  return new OperatorError(code, `unable to execute template at key ${key}: ${err.message}`, { cause: err });
}

function render(key: string, text: string, renderer: Renderer, parsed?: Template): Uint8Array {
  try {
    return renderTemplate(parsed ?? parseTemplate(key, text, renderer.budget), renderer.dot, renderer.budget);
  } catch (err) {
    if (err instanceof TemplateError) throw templateFailure(key, err);
    throw err;
  }
}

const renderText = (key: string, text: string, renderer: Renderer): string => Buffer.from(render(key, text, renderer)).toString('utf8');

/**
 * Transform templates parsed with each budget: a rewrite renders the same one for every key, and
 * one budget serves one reconcile, so the trees go with it and are charged to it once.
 */
const parsedTransforms = new WeakMap<RenderBudget, Map<string, Template>>();

/**
 * Renders a rewrite.transform template, where `.value` is the key. Pass the same budget for
 * every key of a rewrite list (a fresh one is used otherwise); the template is parsed once.
 */
export function renderTransform(template: string, key: string, budget = new RenderBudget()): string {
  const renderer: Renderer = { dot: new TemplateDot({ value: Buffer.from(key, 'utf8') }), budget };
  let parsed = parsedTransforms.get(budget);
  if (!parsed) parsedTransforms.set(budget, (parsed = new Map()));
  let tree = parsed.get(template);
  if (!tree) {
    try {
      tree = parseTemplate('transform', template, budget);
    } catch (err) {
      if (err instanceof TemplateError) throw templateFailure('transform', err);
      throw err;
    }
    parsed.set(template, tree);
  }
  return Buffer.from(render('transform', template, renderer, tree)).toString('utf8');
}
