import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { imageStage, instructionsOf } from '../../scripts/dockerfile.ts';

/** The architecture of README's "Architecture" section, as the imports between src/'s files show it. */
const root = join(import.meta.dirname, '../..');
const src = join(root, 'src');

const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));

/** Relative imports of a file, static and dynamic, as absolute paths. */
function importsOf(file: string): { target: string; dynamic: boolean }[] {
  const text = readFileSync(file, 'utf8');
  const found: { target: string; dynamic: boolean }[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'";]*?from\s*'(\.{1,2}\/[^']+)'/g)) found.push({ target: resolve(dirname(file), m[1]!), dynamic: false });
  for (const m of text.matchAll(/\bimport\(\s*'(\.{1,2}\/[^']+)'\s*\)/g)) found.push({ target: resolve(dirname(file), m[1]!), dynamic: true });
  return found;
}

const sources = files(src);
const name = (file: string) => relative(root, file);
const under = (file: string, dir: string) => name(file).startsWith(`${dir}/`);

describe('src/', () => {
  it('holds only what the operator runs: every file is reached from src/main.ts, none only by tests', () => {
    const reached = new Set<string>();
    const visit = (file: string) => {
      if (reached.has(file) || !file.startsWith(`${src}/`)) return;
      reached.add(file);
      for (const { target } of importsOf(file)) visit(target);
    };
    visit(join(src, 'main.ts'));
    expect(sources.filter((f) => !reached.has(f)).map(name)).toEqual([]);
  });

  it('exports nothing that only tests use: each export is used in src/ or dev/', () => {
    const users = [...sources, ...files(join(root, 'dev'))].map((file) => ({ file, text: readFileSync(file, 'utf8') }));
    const unused = users.filter(({ file }) => file.startsWith(`${src}/`)).flatMap(({ file, text }) =>
      [...text.matchAll(/export (?:async )?(?:function|class|const|let|interface|type|enum)\s+([A-Za-z_$][\w$]*)/g)]
        .map((m) => m[1]!)
        .filter((symbol) => {
          const word = new RegExp(`\\b${symbol.replaceAll('$', '\\$')}\\b`, 'g');
          const inOwnFile = text.match(word)?.length ?? 0;
          return inOwnFile <= 1 && !users.some((other) => other.file !== file && word.test(other.text));
        })
        .map((symbol) => `${name(file)}: ${symbol}`));
    expect(unused).toEqual([]);
  });

  it('imports the local environment only lazily, from main.ts, and never test code', () => {
    const outside = sources.flatMap((file) => importsOf(file)
      .filter(({ target }) => !target.startsWith(`${src}/`) && !target.includes('/node_modules/'))
      .map(({ target, dynamic }) => `${name(file)} -> ${name(target)}${dynamic ? ' (lazy)' : ''}`));
    expect(outside).toEqual(['src/main.ts -> dev/demo.ts (lazy)']);
  });

  it('keeps its layers: api/ and go/ stand alone, sync/ sees aws/ only through its interface, aws/ sees no pipeline', () => {
    const crossings = sources.flatMap((file) => importsOf(file).map(({ target }) => [name(file), name(target)] as const));
    const violations = crossings.filter(([from, to]) =>
      (from.startsWith('src/api/') && !to.startsWith('src/api/'))
      || (from.startsWith('src/go/') && !to.startsWith('src/go/') && to !== 'src/errors.ts')
      || (from.startsWith('src/sync/') && to.startsWith('src/aws/') && to !== 'src/aws/provider.ts')
      || (from.startsWith('src/sync/') && /^src\/(kube|controllers|metrics)\//.test(to))
      || (from.startsWith('src/aws/') && /^src\/(sync|controllers|metrics)\//.test(to)));
    expect(violations.map(([from, to]) => `${from} -> ${to}`)).toEqual([]);
  });
});

describe('the image', () => {
  it('ships the package files and the build of src/ only, so no local-environment or test code ships', () => {
    // The last stage is the image; the build stage before it may read dev/ (main.ts names it) but ships nothing itself.
    const copies = instructionsOf(imageStage(), 'COPY').map((copy) => ({ from: copy.flags.from, sources: copy.args.slice(0, -1) }));
    expect(copies).toEqual([{ from: undefined, sources: ['package.json', 'package-lock.json'] }, { from: 'build', sources: ['/app/dist/src'] }]);
    expect(JSON.parse(readFileSync(join(root, 'tsconfig.build.json'), 'utf8')).include).toEqual(['src']);
    expect(sources.some((f) => under(f, 'src/localenv') || /control-plane|moto/.test(name(f)))).toBe(false);
  });
});
