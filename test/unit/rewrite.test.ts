import { describe, expect, it } from 'vitest';
import type { ExternalSecretRewrite } from '../../src/api/generated.ts';
import { OperatorError } from '../../src/errors.ts';
import { GoRegexp, GoRegexpLimitError, GoRegexpSyntaxError, RegexpBudget } from '../../src/go/regexp/regexp.ts';
import { dataFromMap, MAX_REWRITE_KEY_CHARS, RewriteBudget, rewriteKeys, type TransformRenderer, validateSecretKeys } from '../../src/sync/rewrite.ts';
import { codeOf, text } from '../helpers/expect-helpers.ts';

const v = (text: string): Uint8Array => new Uint8Array(Buffer.from(text));
/** A stand-in for the template engine: supports `{{ .value }}` and `{{ .value | upper }}`. */
const render: TransformRenderer = (template, key) =>
  template.replace(/\{\{\s*\.value\s*(\|\s*upper\s*)?\}\}/g, (_m, upper: string | undefined) => (upper ? key.toUpperCase() : key));

/** Expected results of Go 1.26's regexp.MustCompile(source).ReplaceAllString(input, target). */
const goReplacements: [source: string, input: string, target: string, expected: string][] = [
  ['^db-(.*)$', 'db-password', 'DB_$1', 'DB_password'],
  ['-', 'a-b-c', '_', 'a_b_c'],
  ['(?P<env>[a-z]+)_(?P<name>.+)', 'prod_user', '${name}.${env}', 'user.prod'],
  ['(?<env>[a-z]+)_(?<name>.+)', 'prod_user', '$name-$env', 'user-prod'],
  ['(a)(b)', 'ab', '$1x', ''], // `$1x` names the group "1x", which does not exist
  ['(a)(b)', 'ab', '${1}x', 'ax'],
  ['(a)(b)', 'ab', '$$1', '$1'],
  ['(a)', 'a', '$', '$'],
  ['(a)', 'a', '${1', '${1'],
  ['(a)', 'a', '$2', ''],
  ['(a)', 'a', '$01', ''],
  ['(?P<01>a)', 'a', '[$01]', '[a]'],
  ['b*', 'abc', 'X', 'XaXcX'], // no empty match right after a match
  ['', 'abc', '-', '-a-b-c-'],
  ['a|', 'ab', 'X', 'XbX'],
  ['((a)|b)+', 'ab', '[$1|$2]', '[b|a]'], // RE2 keeps group 2 from the first iteration
  ['(a*)+', 'b', '[$1]', '[]b[]'],
  ['(a|ab)(c|bcd)(d*)', 'abcd', '[$1|$2|$3]', '[a|bcd|]'], // leftmost-first, not leftmost-longest
  ['(?i)k', 'k K \u212a', 'x', 'x x x'], // Kelvin sign folds to k
  ['(?i)[^k]', 'k\u212aKs', '.', 'k\u212aK.'], // fold first, then negate
  ['(?i)\\W', 'a\u017fs!', '.', 'a\u017fs.'],
  ['\\bfoo\\b', 'foo éfooé _foo', 'X', 'X éXé _foo'], // \b is ASCII
  ['(?m)^a', 'a\na', 'X', 'X\nX'],
  ['^a', 'a\na', 'X', 'X\na'],
  ['a$', 'a\na', 'X', 'a\nX'],
  ['(?m)a$', 'a\na', 'X', 'X\nX'],
  ['(?s).', 'a\nb', 'X', 'XXX'],
  ['.', 'a\nb', 'X', 'X\nX'],
  ['(?U)a+', 'aaa', 'X', 'XXX'],
  ['(?U)a+?', 'aaa', 'X', 'X'],
  ['\\s', 'a b\u00a0c', '_', 'a_b\u00a0c'], // \s is ASCII
  ['\\d', '1٣', 'D', 'D٣'],
  ['\\p{Greek}+', 'αβc', 'G', 'Gc'],
  ['\\p{greek}', 'α', 'G', 'G'], // Go 1.25+ matches names loosely
  ['\\p{Letter}', 'a1', 'L', 'L1'],
  ['\\pL', 'a1', 'L', 'L1'],
  ['[[:^alpha:]]', 'a1_', '.', 'a..'],
  ['\\Qa.b\\E', 'a.b axb', 'X', 'X axb'],
  ['a{,3}', 'a{,3}', 'X', 'X'], // not a repetition: literal text
  ['x{2,3}', 'xxxxxxx', '[$0]', '[xxx][xxx]x'],
  ['[]a]', 'a]b', 'X', 'XXb'],
  ['\\x41\\x{1F600}\\101', 'A😀A', 'ok', 'ok'],
  ['😀', 'a😀b', 'X', 'aXb'],
  ['(?i)straße', 'STRASSE strasse STRAẞE', 'X', 'STRASSE strasse X'], // simple folding only
  // Where re2js alone would differ from Go:
  ['(?P<n>a)|(?P<n>b)', 'ab', '[$n]', '[a][b]'], // two groups of one name; `$n` is the first that matched
  ['(a)', 'a', '\\$1', '\\a'], // a backslash is text in Go's templates (in Java's it escapes the `$`)
  ['(a)', 'a', '[$é]', '[]'], // a name takes any letter: group "é", absent
  ['[\\p{greek}\\d]+', 'αβ1c', 'G', 'Gc'], // Go 1.25+ names inside a class
  ['\\P{^greek}', 'αc', 'G', 'Gc'],
  ['\\p{Cased_Letter}', 'a1', 'L', 'L1'],
  ['', '😀', '-', '-😀-'], // an empty match advances a whole character outside the BMP
  ['.', 'a\ud800', 'X', 'XX'], // a lone surrogate is one character (Go would read U+FFFD)
];

/** Sources Go 1.26's regexp.Compile rejects. */
const goRejects = [
  'a**', 'a{1001}', 'x{2}{3}', '(?=a)', '(?<=a)b', '\\1', '(a', 'a)', '[a', '\\p{Grek}', '\\p{Old_Italic}', '\\C', '\\Z',
  '(?P<é>a)', '[z-a]', '*a', '(?i', '(?-)', 'a{2}{2}', '(?:a{100}){100}',
  '\\p{Garay}', // a Unicode 16 script: re2js knows it, Go 1.26 (Unicode 15) does not
  '\ud800', // not well-formed: invalid UTF-8 to Go
];

/** Sources it accepts that look odd. */
const goAccepts = ['(?)a', '(?i)', '{', 'a{', 'a{1,2', '(?P<1x>a)', '(?P<n>a)(?P<n>b)', '(?:a{10}){100}', '\\_', '(?i:a)*'];

describe('GoRegexp', () => {
  it.each(goReplacements)('%j on %j with %j gives Go’s result', (source, input, target, expected) => {
    expect(GoRegexp.compile(source).replaceAll(input, target)).toBe(expected);
  });

  it.each(goRejects)('rejects %j like Go', (source) => {
    expect(() => GoRegexp.compile(source)).toThrow(GoRegexpSyntaxError);
  });

  it.each(goAccepts)('accepts %j like Go', (source) => {
    expect(() => GoRegexp.compile(source)).not.toThrow();
  });
});

describe('rewriteKeys', () => {
  const map = { 'db-user': v('u'), 'db-pass': v('p'), other: v('o') };

  it('applies regexp rewrites in order', () => {
    const rewrites: ExternalSecretRewrite[] = [
      { regexp: { source: '^db-', target: 'database_' } },
      { regexp: { source: '_(.*)$', target: '.$1' } },
    ];
    expect(text(rewriteKeys(map, rewrites, render))).toEqual({ 'database.user': 'u', 'database.pass': 'p', other: 'o' });
  });

  it('renders transforms with .value set to the key', () => {
    expect(text(rewriteKeys(map, [{ transform: { template: 'APP_{{ .value | upper }}' } }], render))).toEqual({
      'APP_DB-USER': 'u',
      'APP_DB-PASS': 'p',
      APP_OTHER: 'o',
    });
  });

  it('leaves the keys alone for an empty rewrite entry, as ESO does', () => {
    expect(text(rewriteKeys(map, [{}], render))).toEqual(text(map));
  });

  it('applies merge (rewrite-merge.ts), naming it in its errors', () => {
    const json = { a: v('{"x":"1"}'), b: v('{"y":"2"}') };
    expect(text(rewriteKeys(json, [{ merge: { strategy: 'JSON', into: 'all' } }], render))).toEqual({ a: '{"x":"1"}', b: '{"y":"2"}', all: '{"x":"1","y":"2"}' });
    expect(() => rewriteKeys(map, [{ merge: {} }], render, 'spec.dataFrom[0].rewrite')).toThrow(
      expect.objectContaining({ code: 'DecodingFailed', message: expect.stringMatching(/^spec\.dataFrom\[0\]\.rewrite\[0\]\.merge: the value of key "db-pass" is not a JSON object/) }),
    );
  });

  it('reports a source Go cannot compile as InvalidSpec, naming the rewrite', () => {
    expect(() => rewriteKeys(map, [{}, { regexp: { source: '(?=x)', target: '' } }], render, 'spec.dataFrom[3].rewrite')).toThrow(
      expect.objectContaining({ code: 'InvalidSpec', message: expect.stringContaining('spec.dataFrom[3].rewrite[1].regexp.source') }),
    );
  });

  it('refuses keys that collide with different values (ESO would pick one at random)', () => {
    const rewrite = [{ regexp: { source: '-.*', target: '' } }];
    expect(codeOf(() => rewriteKeys(map, rewrite, render))).toBe('InvalidSecretKey');
    expect(() => rewriteKeys(map, rewrite, render)).toThrow(/keys "db-user" and "db-pass" both become "db"/);
    // Identical values are not ambiguous.
    expect(text(rewriteKeys({ 'a-1': v('x'), 'a-2': v('x') }, rewrite, render))).toEqual({ a: 'x' });
  });

  it('lets several keys become empty: validation drops them', () => {
    const out = rewriteKeys(map, [{ regexp: { source: '^db-.*', target: '' } }], render);
    expect(text(validateSecretKeys(out))).toEqual({ other: 'o' });
  });

  it('keeps the code of a renderer’s OperatorError and wraps other failures as TemplateFailed', () => {
    const failing: TransformRenderer = () => {
      throw new OperatorError('InvalidSpec', 'template: bad');
    };
    expect(() => rewriteKeys(map, [{ transform: { template: '{{' } }], failing)).toThrow(
      expect.objectContaining({ code: 'InvalidSpec', message: expect.stringMatching(/^rewrite\[0\]\.transform: key "db-user": template: bad$/) }),
    );
    const throwing: TransformRenderer = () => {
      throw new Error('boom');
    };
    expect(codeOf(() => rewriteKeys(map, [{ transform: { template: 'x' } }], throwing))).toBe('TemplateFailed');
  });
});

describe('validateSecretKeys', () => {
  it('drops empty keys and keeps valid ones', () => {
    expect(text(validateSecretKeys({ '': v('gone'), 'a.b-c_D9': v('ok') }))).toEqual({ 'a.b-c_D9': 'ok' });
  });

  it('lists every key a Secret cannot hold and suggests a rewrite', () => {
    const bad = { 'a b': v(''), 'x/y': v(''), é: v(''), '.': v(''), '..': v(''), [`k${'x'.repeat(253)}`]: v(''), fine: v('') };
    try {
      validateSecretKeys(bad, 'spec.dataFrom[1]');
      expect.unreachable();
    } catch (error) {
      expect((error as OperatorError).code).toBe('InvalidSecretKey');
      const message = (error as Error).message;
      expect(message).toMatch(/^spec\.dataFrom\[1\]: 6 keys are not valid in a Secret/);
      expect(message).toContain('"a b", "x/y", "é", ".", ".."');
      expect(message).toContain('and 1 more');
      expect(message).toContain('add a rewrite');
      expect(message).not.toContain('fine');
    }
  });

  it('accepts a key of exactly 253 characters', () => {
    expect(Object.keys(validateSecretKeys({ ['k'.repeat(253)]: v('') }))).toHaveLength(1);
  });
});

describe('dataFromMap', () => {
  const fetched = { 'db/user': v('dQ=='), 'db/pass': v('cA==') };

  it('converts keys (Default) when there is no rewrite, then validates and decodes', () => {
    expect(text(dataFromMap(fetched, { decodingStrategy: 'Base64', renderTransform: render, context: 'spec.dataFrom[0]' }))).toEqual({
      db_user: 'u',
      db_pass: 'p',
    });
    expect(Object.keys(dataFromMap(fetched, { conversionStrategy: 'Unicode', renderTransform: render, context: 'x' })).sort()).toEqual([
      'db_U002f_pass',
      'db_U002f_user',
    ]);
  });

  it('skips conversion when there are rewrites, as ESO does', () => {
    const rewrite = [{ regexp: { source: '^db/', target: 'x/' } }];
    expect(() => dataFromMap(fetched, { rewrite, conversionStrategy: 'Default', renderTransform: render, context: 'spec.dataFrom[2]' })).toThrow(
      expect.objectContaining({ code: 'InvalidSecretKey', message: expect.stringContaining('"x/user"') }),
    );
    const fixed = [{ regexp: { source: '^db/', target: '' } }];
    expect(text(dataFromMap(fetched, { rewrite: fixed, renderTransform: render, context: 'x' }))).toEqual({ user: 'dQ==', pass: 'cA==' });
  });

  it('names the key whose value fails to decode', () => {
    expect(() => dataFromMap({ a: v('!') }, { decodingStrategy: 'Base64URL', renderTransform: render, context: 'spec.dataFrom[4]' })).toThrow(
      expect.objectContaining({ code: 'DecodingFailed', message: expect.stringContaining('spec.dataFrom[4] key "a"') }),
    );
  });
});

describe('rewrite bounds', () => {
  it.each([
    ['(a|a)*b', (n: number) => 'a'.repeat(n)],
    ['(a+)+$', (n: number) => `${'a'.repeat(n)}!`],
  ])('spends steps in proportion to the key where a backtracking engine takes exponential time: %s', (source, keyOf) => {
    /** The regexp steps the rewrite spends on one key of length about n (which it leaves unchanged). */
    const steps = (n: number): number => {
      const budget = new RewriteBudget();
      expect(Object.keys(rewriteKeys({ [keyOf(n)]: v('1') }, [{ regexp: { source, target: 'X' } }], render, 'rewrite', budget))).toEqual([keyOf(n)]);
      return budget.steps;
    };
    expect(steps(500)).toBeGreaterThan(0);
    // Twice the key costs at most twice the steps (and a constant): linear, never exponential.
    for (const n of [500, 1_000, 2_000]) expect(steps(2 * n)).toBeLessThanOrEqual(2 * steps(n) + 100);
  });

  it('stops a target that multiplies the key as it is expanded', () => {
    const re = GoRegexp.compile('.');
    const budget = new RegexpBudget(1_000_000, 10_000);
    expect(() => re.replaceAll('k'.repeat(200), '$0'.repeat(1000), budget)).toThrow(GoRegexpLimitError);
    // The expansion stopped at the first write past the bound (one character here).
    expect(budget.bytes).toBe(10_001);
    expect(re.replaceAll('k'.repeat(5), '$0$0', new RegexpBudget(1_000_000, 10))).toBe('k'.repeat(10));
  });

  it('counts template pieces as steps, so references to absent groups cannot spin', () => {
    const budget = new RegexpBudget(10_000);
    expect(() => GoRegexp.compile('').replaceAll('k'.repeat(100), '${nope}'.repeat(1000), budget)).toThrow('matching takes more than the limit of 10000 steps');
  });

  it('refuses rewritten keys that add up to more than a Secret holds, as SecretTooLarge', () => {
    const keys = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`key-${i}-${'x'.repeat(200)}`, v('1')]));
    const error = (() => {
      try {
        rewriteKeys(keys, [{ regexp: { source: '.', target: '$0'.repeat(2000) } }], render, 'spec.dataFrom[0].rewrite');
      } catch (e) {
        return e as OperatorError;
      }
      throw new Error('expected an error');
    })();
    expect(error.code).toBe('SecretTooLarge');
    expect(error.message).toBe(`spec.dataFrom[0].rewrite[0].regexp: the rewritten keys add up to more than ${MAX_REWRITE_KEY_CHARS} characters, more than a Secret can hold`);
  });

  it('bounds the keys a transform makes too', () => {
    const keys = Object.fromEntries(Array.from({ length: 3 }, (_, i) => [`k${i}`, v('1')]));
    const long: TransformRenderer = (_t, key) => key + 'x'.repeat(400_000);
    expect(codeOf(() => rewriteKeys(keys, [{ transform: { template: 'x' } }], long))).toBe('SecretTooLarge');
  });

  it('refuses matching that takes more steps than allowed, as UnsupportedField', () => {
    // Thousands of threads stay alive at every character.
    const keys = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`${i}-${'a'.repeat(250)}`, v('1')]));
    const rewrite = [{ regexp: { source: '(?:.?){1000}(?:.?){1000}(?:.?){1000}', target: 'x' } }];
    expect(codeOf(() => rewriteKeys(keys, rewrite, render))).toBe('UnsupportedField');
    expect(() => rewriteKeys(keys, rewrite, render)).toThrow(/matching the keys takes more than the 5000000 steps this operator allows/);
  });

  it('bounds each match by a default budget (find.name.regexp over secret names)', () => {
    const re = GoRegexp.compile('(?:.?){1000}(?:.?){1000}');
    expect(() => re.matches('a'.repeat(500))).toThrow(GoRegexpLimitError);
    expect(GoRegexp.compile('^db-(.*)$').matches(`db-${'a'.repeat(500)}`)).toBe(true);
  });

  it('refuses a pattern that compiles to more instructions than allowed, as UnsupportedField', () => {
    // 11 x 1000 instructions; Go would accept it (its bound is 3.3 million).
    const source = 'a{1000}'.repeat(11);
    expect(() => GoRegexp.compile(source)).toThrow(expect.objectContaining({ unsupported: true, message: expect.stringContaining('more than 10000 instructions') }));
    expect(codeOf(() => rewriteKeys({ a: v('1') }, [{ regexp: { source, target: '' } }], render))).toBe('UnsupportedField');
    expect(() => GoRegexp.compile('a{1000}'.repeat(9))).not.toThrow();
  });

  it('refuses a pattern Go estimates far past the bound before building it (re2js would take seconds)', () => {
    // 3 million instructions: past re2js's own bound too, which would call it a syntax error.
    expect(() => GoRegexp.compile('a{1000}'.repeat(3000))).toThrow(expect.objectContaining({ unsupported: true, message: expect.stringContaining('more than 10000 instructions') }));
  });

  it('refuses groups that do not capture nested more than 1000 deep; capturing ones as Go does', () => {
    const nested = (open: string, depth: number): string => `${open.repeat(depth)}a${')'.repeat(depth)}`;
    expect(() => GoRegexp.compile(nested('(?:', 1000))).not.toThrow();
    expect(() => GoRegexp.compile(nested('(?:', 1001))).toThrow(expect.objectContaining({ unsupported: true, message: 'groups nest too deeply for this operator' }));
    expect(() => GoRegexp.compile(nested('(', 2000))).toThrow(expect.objectContaining({ unsupported: false, message: 'expression nests too deeply' }));
  });

  it('charges a search for every instruction at every character it may read, before it runs', () => {
    const re = GoRegexp.compile('(?:.?){1000}x');
    // re2js rejects this text at once (it has no `x`): the budget counts what a search may cost, not what it did.
    expect(() => re.matches('a'.repeat(100))).toThrow(GoRegexpLimitError);
    const budget = new RegexpBudget(Infinity);
    expect(re.matches('x', budget)).toBe(true);
    expect(budget.steps).toBeGreaterThan(2 * 2000);
  });
});
