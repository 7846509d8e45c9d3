import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ExternalSecret, ExternalSecretTemplate } from '../../src/api/generated.ts';
import { renderTarget } from '../../src/sync/render-target.ts';

/**
 * test/data/template-lang/eso-vectors.json: what ESO's own template engine (v0.16.2's, built from the Go module proxy
 * with ESO 2.x's sigs.k8s.io/yaml; see the file's note) writes for toYaml/fromYaml and define/template/block, each
 * template key parsed on its own as ESO does. The same templates go through renderTarget here: `Values` as
 * template.data, `KeysAndValues` as templateFrom literals.
 */
interface EsoCase { name: string; scope: 'Values' | 'KeysAndValues'; templates: Record<string, string>; data: Record<string, string>; want?: Record<string, string>; error?: string }
const vectors = JSON.parse(readFileSync(new URL('../data/template-lang/eso-vectors.json', import.meta.url), 'utf8')) as { cases: EsoCase[] };

/**
 * Where ours says it in other words, as the README's "Differences" lists: a YAML syntax error's description (and the
 * line it names) comes from the `yaml` package, not go-yaml (the prefix is ESO's); template calls nest 250 deep, not 100,000; a
 * KeysAndValues value that is not a string is named by its entry.
 */
const OTHER_WORDS = new Set([
  'fromYaml of invalid YAML sets Error',
  'fromYaml of bad indentation sets Error',
  'fromYaml then toYaml of invalid YAML',
  "a key's template calls itself by the key's name",
  'KeysAndValues whose YAML has a non-string value',
]);

function render(c: EsoCase): Record<string, string> {
  const template: ExternalSecretTemplate = c.scope === 'Values'
    ? { data: c.templates }
    : { templateFrom: Object.values(c.templates).map((literal) => ({ literal })) };
  const es: ExternalSecret = {
    apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret',
    metadata: { name: 'vectors', namespace: 'default', uid: 'uid-1' }, spec: { target: { template } },
  };
  const data = Object.fromEntries(Object.entries(c.data).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'utf8'))]));
  const out = renderTarget(es, data, { configMaps: new Map(), secrets: new Map() });
  return Object.fromEntries(Object.entries(out.data).map(([k, v]) => [k, Buffer.from(v).toString('utf8')]));
}

describe("templates as ESO's own engine renders them (test/data/template-lang/eso-vectors.json)", () => {
  it('has the cases it was made with', () => expect(vectors.cases.length).toBeGreaterThanOrEqual(50));

  const same = vectors.cases.filter((c) => !OTHER_WORDS.has(c.name));
  it.each(same.filter((c) => c.want).map((c) => [c.name, c] as const))('%s', (_, c) => {
    expect(render(c)).toEqual(c.want);
  });

  // ESO wraps Go's error ("unable to execute template at key K: template: K:1:12: executing ... : <what>"); ours
  // has its own position format, and the same <what>.
  it.each(same.filter((c) => c.error).map((c) => [c.name, c] as const))('%s: fails as ESO does', (_, c) => {
    const what = c.error!.split(': ').at(-1)!;
    expect(() => render(c)).toThrow(what);
  });

  it.each(vectors.cases.filter((c) => OTHER_WORDS.has(c.name)).map((c) => [c.name, c] as const))('%s: the same outcome in other words', (_, c) => {
    if (c.error) expect(() => render(c)).toThrow();
    else {
      const got = render(c);
      expect(Object.keys(got)).toEqual(Object.keys(c.want!));
      for (const [key, value] of Object.entries(c.want!)) expect(got[key]).toMatch(/^(map\[Error:|Error: '?)?error converting YAML to JSON: yaml: line \d+: /.test(value) ? /error converting YAML to JSON: yaml: line \d+: / : value);
    }
  });
});
