import { isMap, isPair, isScalar, isSeq, parseAllDocuments, parseDocument, type Document } from 'yaml';
import { formatFloat } from './strconv.ts';
import { limits } from './template/limits.ts';

/** The YAML has more entries than limits.yamlEntries: the template must make fewer. */
export class YamlTooLargeError extends Error {}

/**
 * Lines and commas of the text: at least as many as the YAML's map entries, in block style
 * (one a line) or flow style (`{a: 1, b: 2}`), counted before the parser sees the text.
 */
function entriesAtMost(text: string): number {
  let n = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a || c === 0x2c) n++;
  }
  return n;
}

/**
 * YAML read into a map[string]string as ESO reads templateFrom KeysAndValues output
 * (sigs.k8s.io/yaml over YAML 1.1): plain scalars become strings the way Go prints
 * them (`5432`, `1.5`, `true` also for `yes`), null becomes "", and nested maps or
 * lists are an error. Returns undefined for an empty document.
 *
 * Bounded before parsing (YamlTooLargeError, see parseYaml). Duplicate keys are found here
 * with a set, as the parser's own check is quadratic. Errors give the position, never the
 * text, which holds secret values.
 */
export function parseStringMap(text: string): Record<string, string> | undefined {
  const document = parseYaml(text, { firstDocument: false, uniqueKeys: false })!;
  const contents = document.contents as { items?: { key: unknown }[] } | null;
  const seen = new Set<unknown>();
  for (const { key } of contents?.items ?? []) {
    const node = key !== null && typeof key === 'object' ? (key as { value?: unknown; range?: [number] }) : undefined;
    const value = node && 'value' in node ? node.value : key;
    if (seen.has(value)) throw new Error(`Map keys must be unique at ${position(text, node?.range?.[0] ?? 0)}`);
    seen.add(value);
  }
  let doc: unknown;
  try {
    doc = document.toJS({ maxAliasCount: 100 });
  } catch {
    // e.g. an unresolved alias, whose message names it.
    throw new Error('the output is not valid YAML (its aliases cannot be resolved)');
  }
  if (doc === null || doc === undefined) return undefined;
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new Error('the document is not a map');
  const out: Record<string, string> = Object.create(null);
  for (const [index, [key, value]] of Object.entries(doc as Record<string, unknown>).entries()) {
    if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
      // Keys of rendered output may be secret values: say which entry, not its key.
      throw new Error(`the value of entry ${index + 1} is a ${Array.isArray(value) ? 'list' : 'map'}, not a string`);
    }
    out[key] = scalarText(value);
  }
  return out;
}

/**
 * YAML 1.1 text parsed as go-yaml v2 reads it (integers as bigint), after the bound on its size
 * (YamlTooLargeError, before the parser, which costs ~20-50 us and ~2 KiB an entry). Throws the first
 * error as its code and position only: some messages name what they found (an alias, a tag), which is
 * secret data. Returns the document, or with `firstDocument` the first of the stream (undefined for none).
 *
 * With `uniqueKeys`, a key repeated in any map, nested ones too, is that first error (DUPLICATE_KEY), as
 * the parser's own option reports it. That option compares each key with every earlier one (~125 ms for
 * 4,999 entries), so the text is parsed without it and checked with a set per map; only a text with an
 * error or a repeated key is parsed again with it, so that the error reported is the very one it gives.
 */
export function parseYaml(text: string, { firstDocument, uniqueKeys }: { firstDocument: boolean; uniqueKeys: boolean }): Document.Parsed | undefined {
  if (entriesAtMost(text) > limits.yamlEntries) {
    throw new YamlTooLargeError(`the YAML has more than ${limits.yamlEntries} lines and commas, the most this operator reads`);
  }
  const parse = (checkKeys: boolean): Document.Parsed | undefined => {
    const options = { version: '1.1', intAsBigInt: true, uniqueKeys: checkKeys, prettyErrors: false } as const;
    if (!firstDocument) return parseDocument(text, options);
    const documents = parseAllDocuments(text, options);
    return Array.isArray(documents) ? documents[0] : undefined;
  };
  let document = parse(false);
  if (uniqueKeys && document && (document.errors.length > 0 || repeatsKey(document.contents))) document = parse(true);
  const failure = document?.errors[0];
  if (failure) throw new Error(`the output is not valid YAML (${failure.code} at ${position(text, failure.pos[0])})`);
  return document;
}

/**
 * Whether a map under `node` (itself included) repeats a key, as the parser's uniqueKeys compares keys:
 * scalars by value with ===, so NaN never matches (a Set would match it), any other node only itself.
 */
function repeatsKey(node: unknown): boolean {
  if (isMap(node)) {
    const seen = new Set<unknown>();
    for (const { key, value } of node.items) {
      if (repeatsKey(key)) return true;
      if (isScalar(key) && !Number.isNaN(key.value)) {
        if (seen.has(key.value)) return true;
        seen.add(key.value);
      }
      if (repeatsKey(value)) return true;
    }
    return false;
  }
  if (isSeq(node)) return node.items.some((item) => (isPair(item) ? repeatsKey(item.key) || repeatsKey(item.value) : repeatsKey(item)));
  return false;
}

/** `line L, column C` (1-based) of an offset in the text. */
export function position(text: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return `line ${line}, column ${offset - lineStart + 1}`;
}

function scalarText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return Number.isInteger(value) && Math.abs(value) < 2 ** 53 ? String(value) : float32Text(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) return value.toISOString().replace('.000Z', 'Z');
  return String(value);
}

/** strconv.FormatFloat(v, 'g', -1, 32): the shortest digits that read back as the same float32. */
function float32Text(value: number): string {
  if (!Number.isFinite(value)) return formatFloat(value, 'g', -1);
  const f = Math.fround(value);
  for (let p = 1; p <= 9; p++) {
    const candidate = Number(f.toPrecision(p));
    if (Math.fround(candidate) === f) return formatFloat(candidate, 'g', -1);
  }
  return formatFloat(f, 'g', -1);
}
