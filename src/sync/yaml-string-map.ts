import { parse, YAMLError } from 'yaml';
import { formatFloat } from './template/float.ts';

/**
 * YAML read into a map[string]string as ESO reads templateFrom KeysAndValues output
 * (sigs.k8s.io/yaml over YAML 1.1): plain scalars become strings the way Go prints
 * them (`5432`, `1.5`, `true` also for `yes`), null becomes "", and nested maps or
 * lists are an error. Returns undefined for an empty document.
 */
export function parseStringMap(text: string): Record<string, string> | undefined {
  let doc: unknown;
  try {
    doc = parse(text, { version: '1.1', intAsBigInt: true });
  } catch (err) {
    // The library's message quotes the offending line, which is rendered secret data: keep only where.
    const at = err instanceof YAMLError && err.linePos ? ` at line ${err.linePos[0].line}, column ${err.linePos[0].col}` : '';
    throw new Error(`the output is not valid YAML (${err instanceof YAMLError ? err.code : 'parse error'}${at})`);
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
