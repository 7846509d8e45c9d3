import { parse } from 'yaml';
import { formatFloat } from './template/float.ts';

/**
 * YAML read into a map[string]string as ESO reads templateFrom KeysAndValues output
 * (sigs.k8s.io/yaml over YAML 1.1): plain scalars become strings the way Go prints
 * them (`5432`, `1.5`, `true` also for `yes`), null becomes "", and nested maps or
 * lists are an error. Returns undefined for an empty document.
 */
export function parseStringMap(text: string): Record<string, string> | undefined {
  const doc = parse(text, { version: '1.1', intAsBigInt: true });
  if (doc === null || doc === undefined) return undefined;
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new Error('the document is not a map');
  const out: Record<string, string> = Object.create(null);
  for (const [key, value] of Object.entries(doc as Record<string, unknown>)) {
    if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
      throw new Error(`the value of "${key}" is a ${Array.isArray(value) ? 'list' : 'map'}, not a string`);
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
