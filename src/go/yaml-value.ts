import { isMap, isScalar, isSeq } from 'yaml';
import { parseYaml } from './yaml-string-map.ts';

/**
 * What sigs.k8s.io/yaml's Unmarshal into `any` makes of a text (YAML 1.1, as go-yaml v2 reads it, the
 * first document only), reduced to what a ConfigMap's data can hold: a string, or the kind of value it
 * is instead. A timestamp stays the text it was written as (go-yaml v2 keeps timestamp-like scalars as
 * strings in an `any`); a number, a boolean, null (an empty document, `~`), a map or a list is not a
 * string.
 */
export type YamlValue = { string: string } | { other: 'number' | 'boolean' | 'null' | 'map' | 'list' };

/**
 * The YAML value of `text`. Throws when it is not valid YAML, with the position only (the text holds
 * secret values), or YamlTooLargeError past limits.yamlEntries lines and commas, before parsing.
 */
export function parseYamlValue(text: string): YamlValue {
  const document = parseYaml(text, { firstDocument: true, uniqueKeys: true });
  if (!document) return { other: 'null' };
  const contents = document.contents;
  if (contents === null || contents === undefined) return { other: 'null' };
  if (isMap(contents)) return { other: 'map' };
  if (isSeq(contents)) return { other: 'list' };
  let value: unknown;
  try {
    // A scalar, or an alias to one (which, alone in a document, cannot resolve).
    value = isScalar(contents) ? contents.value : document.toJS({ maxAliasCount: 100 });
  } catch {
    throw new Error('the output is not valid YAML (its aliases cannot be resolved)');
  }
  if (typeof value === 'string') return { string: value };
  if (value instanceof Date && isScalar(contents)) return { string: text.slice(contents.range![0], contents.range![1]) };
  return { other: kindOf(value) };
}

function kindOf(value: unknown): 'number' | 'boolean' | 'null' | 'map' | 'list' {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' || typeof value === 'bigint') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  return Array.isArray(value) ? 'list' : 'map';
}
