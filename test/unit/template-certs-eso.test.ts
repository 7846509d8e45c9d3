import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * The certificate vectors restate ESO's helpers in Go; tools/template-vectors/eso ran ESO's own
 * template engine on them and recorded the result in the file (crossChecks, one record per build).
 * These tests keep that record true of the vectors as they are: regenerating them without running
 * the cross-check again, or a difference nobody has explained, fails here.
 */

interface CrossCheck {
  how: string;
  equal: number;
  absentFromThisESO: { name: string; functions: string[] }[];
  differs: { name: string; why: string; verdict?: string; esoWant?: string; esoError?: string }[];
}

const vectors = JSON.parse(readFileSync(new URL('../data/template-certs/vectors.json', import.meta.url), 'utf8')) as {
  note: string;
  crossChecks?: Record<string, CrossCheck>;
  cases: { name: string }[];
};
const names = new Set(vectors.cases.map((c) => c.name));
const records = Object.entries(vectors.crossChecks ?? {});

describe('certificate vectors cross-checked against ESO\'s own engine', () => {
  it('were checked with ESO\'s real code, with the libraries of ESO 2.x and with those ESO v0.16.2 was released with', () => {
    const builds = records.map(([build]) => build);
    expect(builds.some((b) => b.includes('external-secrets v0.16.2') && b.includes('go-pkcs12 v0.7.'))).toBe(true);
    expect(builds.some((b) => b.includes('external-secrets v0.16.2') && b.includes('go-pkcs12 v0.5.0'))).toBe(true);
    expect(vectors.note).toContain('tools/template-vectors/eso');
  });

  it.each(records)('accounts for every case once (%s)', (_build, record) => {
    const seen = [...record.absentFromThisESO.map((a) => a.name), ...record.differs.map((d) => d.name)];
    expect(seen.filter((n) => !names.has(n))).toEqual([]);
    expect(new Set(seen).size).toBe(seen.length);
    expect(record.equal + seen.length).toBe(vectors.cases.length);
  });

  it.each(records)('explains each difference, saying which side is ESO 2.9\'s (%s)', (_build, record) => {
    expect(record.differs.filter((d) => !d.verdict).map((d) => d.name)).toEqual([]);
  });

  it.each(records)('skips only the helpers ESO added after v0.16.2 (%s)', (_build, record) => {
    const functions = new Set(record.absentFromThisESO.flatMap((a) => a.functions));
    expect([...functions].sort()).toEqual(['certSANs', 'pemTruststoreToPKCS12', 'pemTruststoreToPKCS12Pass']);
  });

  it('with ESO 2.x\'s go-pkcs12, only the filterPEM case that Go 1.25.3\'s encoding/pem changed differs', () => {
    const [, modern] = records.find(([build]) => build.includes('go-pkcs12 v0.7.'))!;
    expect(modern.differs.map((d) => d.name)).toEqual(['filterPEM BEGIN mid-line']);
  });
});
