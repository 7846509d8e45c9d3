import { describe, expect, it } from 'vitest';
import { limits } from '../../src/go/template/limits.ts';
import { YamlTooLargeError } from '../../src/go/yaml-string-map.ts';
import { parseYamlValue } from '../../src/go/yaml-value.ts';

describe('parseYamlValue (sigs.k8s.io/yaml into any, YAML 1.1 as go-yaml v2)', () => {
  it.each([
    ['plain text', 'hello world', 'hello world'],
    ['a comment dropped', 'user=admin # note', 'user=admin'],
    ['single quotes removed', "'s3cr3t'", 's3cr3t'],
    ['double quotes with an escape', '"a\\nb"', 'a\nb'],
    ['a quoted number stays text', '"5432"', '5432'],
    ['a timestamp kept as written (go-yaml v2 keeps it a string in an any)', '2001-12-14', '2001-12-14'],
    ['the first document only', 'a\n---\nb', 'a'],
  ])('a string: %s', (_, text, value) => {
    expect(parseYamlValue(text)).toEqual({ string: value });
  });

  it.each([
    ['5432', 'number'],
    ['1.5', 'number'],
    ['true', 'boolean'],
    ['yes', 'boolean'],
    ['off', 'boolean'],
    ['~', 'null'],
    ['', 'null'],
    ['a: b', 'map'],
    ['- a', 'list'],
    ['[a, b]', 'list'],
  ])('not a string: %j is a %s', (text, other) => {
    expect(parseYamlValue(text)).toEqual({ other });
  });

  it('invalid YAML throws with the position only, never the text', () => {
    expect(() => parseYamlValue('key: [s3cr3t')).toThrow(/^the output is not valid YAML \([A-Z_]+ at line \d+, column \d+\)$/);
    expect(() => parseYamlValue('*s3cr3t')).toThrow('the output is not valid YAML (its aliases cannot be resolved)');
  });

  it('refuses more lines than limits.yamlEntries before parsing', () => {
    expect(() => parseYamlValue('a\n'.repeat(limits.yamlEntries + 1))).toThrow(YamlTooLargeError);
  });
});
