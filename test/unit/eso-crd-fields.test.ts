import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CRD_DIR, loadCrds, type Crd, type Schema } from '../../scripts/generate-types.ts';
import { esoCrdsDir } from '../helpers/eso-crds.ts';

/**
 * Manifests written for ESO must apply unchanged: every field and enum value of ESO v2.9.0's v1 ExternalSecret and
 * ClusterExternalSecret schemas must be in ours too (the README lists the few accepted but not implemented, with the
 * reason). Read from ESO's own published CRDs (test/helpers/eso-crds.ts says where they are).
 */
const v1Schema = (crds: unknown[], kind: string): Schema => {
  const crd = (crds as Crd[]).find((c) => c.spec.names.kind === kind);
  const schema = crd?.spec.versions.find((v) => v.name === 'v1')?.schema?.openAPIV3Schema;
  if (!schema) throw new Error(`no v1 schema for ${kind}`);
  return schema;
};

/**
 * What ESO's schema has and ours lacks: a property path (`a.b[].c`, `{}` for a map's values), or an enum value at
 * one. A schema of ours without an enum takes any value; one that keeps unknown fields without declaring any takes
 * every field below it, but ESO's declared fields are then reported, as nothing of ours reads them.
 */
function missingFrom(ours: Schema | undefined, eso: Schema, path = ''): string[] {
  if (!ours) return [path || '<root>'];
  const missing: string[] = [];
  if (ours.enum) for (const value of eso.enum ?? []) if (!ours.enum.includes(value)) missing.push(`${path} enum ${JSON.stringify(value)}`);
  for (const [name, schema] of Object.entries(eso.properties ?? {})) missing.push(...missingFrom(ours.properties?.[name], schema, `${path}.${name}`));
  if (eso.items) missing.push(...missingFrom(ours.items, eso.items, `${path}[]`));
  if (typeof eso.additionalProperties === 'object') {
    const theirs = typeof ours.additionalProperties === 'object' ? ours.additionalProperties : undefined;
    missing.push(...missingFrom(theirs, eso.additionalProperties, `${path}{}`));
  }
  return missing;
}

/** How many property paths a schema declares, to show the walk compared something. */
const countPaths = (schema: Schema): number => Object.values(schema.properties ?? {}).reduce((n, s) => n + 1 + countPaths(s), 0)
  + (schema.items ? countPaths(schema.items) : 0)
  + (typeof schema.additionalProperties === 'object' ? countPaths(schema.additionalProperties) : 0);

describe("ESO v2.9.0's v1 schemas, field by field", () => {
  const eso = loadCrds(esoCrdsDir());
  const ours = loadCrds(CRD_DIR);

  it.each(['ExternalSecret', 'ClusterExternalSecret'])('every %s field and enum value of ESO is in ours', (kind) => {
    const theirs = v1Schema(eso, kind);
    // Guards against a walk that finds nothing to compare: ESO's ExternalSecret has over a hundred fields.
    expect(countPaths(theirs)).toBeGreaterThan(100);
    expect(missingFrom(v1Schema(ours, kind), theirs)).toEqual([]);
  });

  it('reports a field, an enum value and a map value ours lacks', () => {
    const theirs: Schema = {
      type: 'object',
      properties: {
        a: { type: 'string', enum: ['X', 'Y'] },
        b: { type: 'array', items: { type: 'object', properties: { c: { type: 'string' } } } },
        m: { type: 'object', additionalProperties: { type: 'object', properties: { d: { type: 'string' } } } },
      },
    };
    const partial: Schema = {
      type: 'object',
      properties: { a: { type: 'string', enum: ['X'] }, b: { type: 'array', items: { type: 'object', properties: {} } }, m: { type: 'object' } },
    };
    expect(missingFrom(partial, theirs)).toEqual(['.a enum "Y"', '.b[].c', '.m{}']);
    expect(missingFrom(theirs, theirs)).toEqual([]);
  });
});

/** What a schema can say that refuses values, beyond the fields generate-types.ts reads. */
interface Constrained extends Omit<Schema, 'properties' | 'items' | 'additionalProperties'> {
  properties?: Record<string, Constrained>;
  items?: Constrained;
  additionalProperties?: Constrained | boolean;
  pattern?: string;
  format?: string;
  maxLength?: number;
  minLength?: number;
  maxItems?: number;
  minItems?: number;
  maxProperties?: number;
  minProperties?: number;
  maximum?: number;
  minimum?: number;
  'x-kubernetes-validations'?: Array<{ rule: string; message?: string }>;
}

const UPPER_BOUNDS = ['maxLength', 'maxItems', 'maxProperties', 'maximum'] as const;
const LOWER_BOUNDS = ['minLength', 'minItems', 'minProperties', 'minimum'] as const;

/**
 * Where ours refuses what ESO's schema accepts, at every path both have: an enum where ESO has none, another type, a
 * tighter bound, a pattern or format ESO lacks, a required field ESO does not require, a CEL rule ESO does not have,
 * null or unknown fields ESO keeps. Where ESO has an enum, a bound or pattern of ours is a narrowing only if it refuses
 * one of ESO's values. Each finding reads `<path>: <what ours adds> (ESO: <what it has>)`.
 */
function narrowingsOf(ours: Constrained, eso: Constrained, path = ''): string[] {
  const at = path || '<root>';
  const found: string[] = [];
  const add = (what: string) => found.push(`${at}: ${what}`);
  if (ours.enum && !eso.enum) add(`enum ${JSON.stringify(ours.enum)} (ESO: any value)`);
  if (ours.type !== undefined && ours.type !== eso.type) add(`type ${ours.type} (ESO: ${eso.type ?? 'any'})`);
  for (const flag of ['nullable', 'x-kubernetes-int-or-string', 'x-kubernetes-preserve-unknown-fields'] as const) {
    if (eso[flag] && !ours[flag]) add(`no ${flag} (ESO: true)`);
  }
  const refusesAnEsoValue = (check: (value: string) => boolean) => !eso.enum || eso.enum.some((v) => typeof v === 'string' && !check(v));
  for (const key of UPPER_BOUNDS) {
    const limit = ours[key];
    if (limit !== undefined && (eso[key] === undefined || limit < eso[key]) && (key !== 'maxLength' || refusesAnEsoValue((v) => v.length <= limit))) {
      add(`${key} ${limit} (ESO: ${eso[key] ?? 'none'})`);
    }
  }
  for (const key of LOWER_BOUNDS) {
    const limit = ours[key];
    if (limit !== undefined && (eso[key] === undefined || limit > eso[key]) && (key !== 'minLength' || refusesAnEsoValue((v) => v.length >= limit))) {
      add(`${key} ${limit} (ESO: ${eso[key] ?? 'none'})`);
    }
  }
  if (ours.pattern !== undefined && ours.pattern !== eso.pattern && refusesAnEsoValue((v) => new RegExp(ours.pattern!).test(v))) {
    add(`pattern ${JSON.stringify(ours.pattern)} (ESO: ${eso.pattern === undefined ? 'none' : JSON.stringify(eso.pattern)})`);
  }
  if (ours.format !== undefined && ours.format !== eso.format) add(`format ${ours.format} (ESO: ${eso.format ?? 'none'})`);
  for (const name of ours.required ?? []) if (!(eso.required ?? []).includes(name)) add(`required ${JSON.stringify(name)}`);
  const esoRules = new Set((eso['x-kubernetes-validations'] ?? []).map((v) => v.rule));
  for (const v of ours['x-kubernetes-validations'] ?? []) if (!esoRules.has(v.rule)) add(`rule ${JSON.stringify(v.message ?? v.rule)}`);

  for (const [name, schema] of Object.entries(eso.properties ?? {})) {
    const mine = ours.properties?.[name];
    if (mine) found.push(...narrowingsOf(mine, schema, `${path}.${name}`));
  }
  if (eso.items && ours.items) found.push(...narrowingsOf(ours.items, eso.items, `${path}[]`));
  if (typeof eso.additionalProperties === 'object' && typeof ours.additionalProperties === 'object') {
    found.push(...narrowingsOf(ours.additionalProperties, eso.additionalProperties, `${path}{}`));
  }
  return found;
}

/**
 * The narrowings made on purpose, each with the words of the README that tell users (checked to be there). A
 * ClusterExternalSecret's externalSecretSpec is an ExternalSecret's spec: its paths are matched as `.spec...`.
 * Anything else this finds is a manifest written for ESO that ours refuses: widen our schema, or document it and
 * list it here.
 */
const DELIBERATE: Array<{ finding: string; readme: string; kinds?: string[] }> = [
  // ESO's webhook refuses an ExternalSecret without data or dataFrom, so without a spec.
  { finding: '<root>: required "spec"', readme: "The rules are ESO's webhook's (data or dataFrom;", kinds: ['ExternalSecret'] },
  { finding: '.spec: rule "nothing to sync: list at least one entry in spec.data or spec.dataFrom"', readme: "The rules are ESO's webhook's (data or dataFrom;" },
  { finding: '.spec: rule "spec.data lists the same secretKey more than once: give each entry its own secretKey"', readme: 'duplicate `secretKey` under deletionPolicy Retain' },
  { finding: '.spec.data: maxItems 200 (ESO: none)', readme: '`data` is capped at 200 entries' },
  { finding: '.spec.refreshInterval: rule "must be a Go duration such as \\"1h\\", \\"30m\\", \\"1h30m\\", \\"90s\\" or \\"0\\""', readme: 'plus Go-duration syntax for `refreshInterval`' },
  // Kept to hold the Go-duration rule within the apiserver's CEL cost budget; no real duration is longer.
  { finding: '.spec.refreshInterval: maxLength 64 (ESO: none)', readme: 'both durations at 64 characters so the Go-duration rule does' },
  // ESO's Go types cannot decode a refreshTime that is not a duration, so ESO never serves such a ClusterExternalSecret.
  { finding: '.spec.refreshTime: rule "must be a Go duration such as \\"1h\\", \\"30m\\", \\"1h30m\\", \\"90s\\" or \\"0\\""', readme: "and a ClusterExternalSecret's `refreshTime`", kinds: ['ClusterExternalSecret'] },
  { finding: '.spec.refreshTime: maxLength 64 (ESO: none)', readme: 'both durations at 64 characters so the Go-duration rule does', kinds: ['ClusterExternalSecret'] },
  // ESO accepts a ClusterExternalSecret without a spec and makes nothing from it.
  { finding: '<root>: required "spec"', readme: 'A ClusterExternalSecret needs a `spec`', kinds: ['ClusterExternalSecret'] },
  // ESO's webhook refuses both (validateFindExtractSourceRef, validateExtractFindGenerator).
  { finding: '.spec.dataFrom[]: rule "each spec.dataFrom entry needs one of extract, find or sourceRef"', readme: 'each `dataFrom` entry with one of extract, find or sourceRef' },
  { finding: '.spec.dataFrom[]: rule "a spec.dataFrom entry takes only one of extract, find and sourceRef.generatorRef: put each in its own entry"', readme: 'at most one of extract, find and sourceRef.generatorRef' },
  { finding: '.spec.target: rule "deletionPolicy Delete would delete a Secret this ExternalSecret does not own: set creationPolicy to Owner, or use deletionPolicy Retain or Merge"', readme: 'deletionPolicy Delete not with creationPolicy' },
  // A window's duration: refused at apply when Go cannot parse it (ESO's controller then could not read the object).
  { finding: '.spec.syncWindows.windows[].duration: pattern "^[-+]?(0|(([0-9]+([.][0-9]*)?|[.][0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$" (ESO: none)', readme: 'and for `syncWindows[].duration`' },
  { finding: '.spec.syncWindows.windows[].duration: maxLength 64 (ESO: none)', readme: "(a window's `duration` too)" },
  // Each window costs every refresh's search for the next permitted time; no real manifest has this many or this long.
  { finding: '.spec.syncWindows.windows: maxItems 50 (ESO: none)', readme: '`syncWindows.windows` is capped at 50 windows' },
  { finding: '.spec.syncWindows.windows[].schedule: maxLength 256 (ESO: none)', readme: 'and a window\'s `schedule` at 256 characters' },
  // ESO's webhook refuses it too (validateTemplateFromTarget); the bounds hold that rule within the CEL cost budget.
  { finding: '.spec.target: rule "templateFrom[].target of a Secret target must be Data, Annotations or Labels (any case): another value is a path into the Secret, which could set its type, immutable or metadata"', readme: 'for a Secret target, `templateFrom[].target` only Data, Annotations or Labels, in any case' },
  { finding: '.spec.target.template.templateFrom: maxItems 200 (ESO: none)', readme: '`templateFrom` is capped at 200 entries' },
  { finding: '.spec.target.template.templateFrom[].target: maxLength 1024 (ESO: none)', readme: 'a `templateFrom[].target` at 1024 characters' },
  { finding: '.spec.target: rule "deletionPolicy Merge needs a Secret to remove keys from, and creationPolicy None never writes one: set creationPolicy to Owner, Orphan or Merge, or use deletionPolicy Retain"', readme: 'Merge not with None' },
];

/** A finding as the allowlist names it: a ClusterExternalSecret's externalSecretSpec read as an ExternalSecret's spec. */
const asListed = (kind: string, finding: string): string =>
  (kind === 'ClusterExternalSecret' ? finding.replace(/^\.spec\.externalSecretSpec(?=[.[:{])/, '.spec') : finding);

describe("ESO v2.9.0's v1 schemas: nothing ESO accepts is refused by ours, but what the README says", () => {
  const eso = loadCrds(esoCrdsDir());
  const ours = loadCrds(CRD_DIR);
  const readme = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8').replace(/\s+/g, ' ');

  it.each(['ExternalSecret', 'ClusterExternalSecret'])('%s: every narrowing of ours is a deliberate one', (kind) => {
    const found = narrowingsOf(v1Schema(ours, kind), v1Schema(eso, kind)).map((f) => asListed(kind, f));
    const listed = DELIBERATE.filter((d) => !d.kinds || d.kinds.includes(kind)).map((d) => d.finding);
    expect(found.filter((f) => !listed.includes(f))).toEqual([]);
    // The list shrinks with the schema: an entry ours no longer needs is taken out.
    expect(listed.filter((d) => !found.includes(d))).toEqual([]);
  });

  it.each(DELIBERATE)('the README tells users: $finding', ({ readme: words }) => {
    expect(readme).toContain(words.replace(/\s+/g, ' '));
  });

  it('finds an added enum, type, bound, pattern, required field and CEL rule, and not what ESO refuses too', () => {
    const theirs: Constrained = {
      type: 'object',
      properties: {
        free: { type: 'string' },
        kind: { type: 'string', enum: ['A', 'Bb'] },
        list: { type: 'array', items: { type: 'string' } },
        n: { type: 'integer', minimum: 1 },
        any: { 'x-kubernetes-int-or-string': true },
      },
    };
    const narrowed: Constrained = {
      type: 'object',
      required: ['free'],
      'x-kubernetes-validations': [{ rule: 'has(self.free)', message: 'free is required' }],
      properties: {
        free: { type: 'string', enum: ['x'], pattern: '^x$', maxLength: 5 },
        kind: { type: 'string', enum: ['A', 'Bb'], minLength: 1, maxLength: 1 },
        list: { type: 'array', maxItems: 3, items: { type: 'string', minLength: 2 } },
        n: { type: 'integer', minimum: 0, maximum: 9 },
        any: { type: 'string' },
      },
    };
    expect(narrowingsOf(narrowed, theirs)).toEqual([
      '<root>: required "free"',
      '<root>: rule "free is required"',
      '.free: enum ["x"] (ESO: any value)',
      '.free: maxLength 5 (ESO: none)',
      '.free: pattern "^x$" (ESO: none)',
      '.kind: maxLength 1 (ESO: none)',
      '.list: maxItems 3 (ESO: none)',
      '.list[]: minLength 2 (ESO: none)',
      '.n: maximum 9 (ESO: none)',
      '.any: type string (ESO: any)',
      '.any: no x-kubernetes-int-or-string (ESO: true)',
    ]);
    expect(narrowingsOf(theirs, theirs)).toEqual([]);
  });
});

describe('esoCrdsDir', () => {
  const withFolders = (test: (root: string) => void) => {
    const root = mkdtempSync(join(tmpdir(), 'eso-crds-'));
    try {
      test(root);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  };
  const crdFolder = (dir: string) => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'external-secrets.io_externalsecrets.yaml'), 'kind: CustomResourceDefinition\n');
    return dir;
  };

  it('takes ESO_CRDS_DIR first, then the shared reference beside the repository', () => withFolders((root) => {
    const beside = crdFolder(join(root, 'shared/reference/eso-v2.9.0-crds'));
    const own = crdFolder(join(root, 'elsewhere'));
    const workplace = crdFolder(join(root, 'workplace', 'eso-v2.9.0-crds'));
    const places = { repo: join(root, 'repo'), workplace: join(root, 'workplace') };
    expect(esoCrdsDir({ ESO_CRDS_DIR: own }, places)).toBe(own);
    expect(esoCrdsDir({}, places)).toBe(beside);
    expect(esoCrdsDir({}, { ...places, repo: join(root, 'ci', 'repo') })).toBe(workplace);
  }));

  it('passes over a folder without the CRDs, and fails naming every place it looked when none has them', () => withFolders((root) => {
    const empty = join(root, 'empty');
    mkdirSync(empty);
    const places = { repo: join(root, 'ci', 'repo'), workplace: join(root, 'nowhere') };
    expect(() => esoCrdsDir({ ESO_CRDS_DIR: empty }, places)).toThrow(
      `ESO v2.9.0's CRDs not found; looked in ${empty}, ${join(root, 'ci', 'shared', 'reference', 'eso-v2.9.0-crds')}, `
      + `${join(root, 'nowhere', 'eso-v2.9.0-crds')}. Set ESO_CRDS_DIR`,
    );
  }));
});
