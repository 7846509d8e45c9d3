import { describe, expect, it } from 'vitest';
import { base32 } from 'rfc4648';
import {
  DEFAULT_SYMBOLS, generatePassword, generatePasswordString, MAX_PASSWORD_CHARS, passwordRules, secureRandomInt, type RandomInt,
} from '../../src/generators/password.ts';
import { text, thrown } from '../helpers/expect-helpers.ts';

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const count = (s: string, set: string) => [...s].filter((c) => set.includes(c)).length;
const one = (spec: Parameters<typeof passwordRules>[0], random?: RandomInt) => generatePasswordString(passwordRules(spec), random);
/** Always the first choice: makes the draw (and the shuffle) deterministic. */
const first: RandomInt = () => 0;

describe('Password: ESO\'s defaults', () => {
  it('makes 24 characters: 6 digits, 6 of ESO\'s symbols, 12 letters, none repeated, under the key "password"', () => {
    for (let run = 0; run < 50; run++) {
      const { password, ...rest } = text(generatePassword({ length: 24, noUpper: false, allowRepeat: false }));
      expect(rest).toEqual({});
      expect(password).toHaveLength(24);
      expect(count(password!, '0123456789')).toBe(6);
      expect(count(password!, DEFAULT_SYMBOLS)).toBe(6);
      expect(count(password!, LETTERS)).toBe(12);
      expect(new Set(password).size).toBe(24);
    }
  });

  it('takes a length of 0 or less as 24, and a quarter as Go\'s float32 truncates it', () => {
    expect(passwordRules({ length: 0 })).toMatchObject({ length: 24, digits: 6, symbols: 6 });
    expect(passwordRules({ length: -3 })).toMatchObject({ length: 24, digits: 6, symbols: 6 });
    expect(passwordRules({ length: 10 })).toMatchObject({ length: 10, digits: 2, symbols: 2 });
    expect(passwordRules({ length: 3 })).toMatchObject({ digits: 0, symbols: 0 });
    expect(passwordRules({ length: 8, digits: 0, symbols: 1 })).toMatchObject({ digits: 0, symbols: 1 });
  });

  it('draws symbols from symbolCharacters, or ESO\'s set when it is empty; noUpper leaves out uppercase', () => {
    const pw = one({ length: 30, digits: 0, symbols: 4, symbolCharacters: '-_$@', noUpper: true, allowRepeat: false });
    expect(count(pw, '-_$@')).toBe(4);
    expect(count(pw, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')).toBe(0);
    expect(count(pw, 'abcdefghijklmnopqrstuvwxyz')).toBe(26);
    expect(count(one({ length: 8, digits: 0, symbols: 8, symbolCharacters: '' }), DEFAULT_SYMBOLS)).toBe(8);
  });

  it('repeats characters with allowRepeat, past what the sets hold', () => {
    const pw = one({ length: 200, digits: 50, symbols: 50, symbolCharacters: '#', allowRepeat: true });
    expect(pw).toHaveLength(200);
    expect(count(pw, '#')).toBe(50);
    expect(count(pw, '0123456789')).toBe(50);
  });

  it('draws more letters for a negative count of digits or symbols, as go-password does', () => {
    const pw = one({ length: 5, digits: -2, symbols: 0 });
    expect(pw).toHaveLength(7);
    expect(count(pw, LETTERS)).toBe(7);
  });

  it('shuffles: digits and symbols land anywhere, not after the letters', () => {
    const positions = new Set<number>();
    for (let run = 0; run < 200; run++) positions.add(one({ length: 10, digits: 1, symbols: 0 }).search(/[0-9]/));
    expect(positions.size).toBe(10);
  });

  it('reads each byte of symbolCharacters as one character, as Go\'s string(byte) does', () => {
    // "é" is C3 A9 in UTF-8: go-password draws one byte and writes U+00C3 or U+00A9.
    const pw = one({ length: 1, digits: 0, symbols: 1, symbolCharacters: 'é', allowRepeat: true });
    expect(['\u00c3', '\u00a9']).toContain(pw);
  });
});

describe('Password: go-password\'s refusals, with its messages', () => {
  const refused = (spec: Parameters<typeof passwordRules>[0]) => thrown(() => generatePassword(spec));

  it.each([
    [{ length: 4, digits: 3, symbols: 2 }, 'number of digits and symbols must be less than total length'],
    [{ length: 53, digits: 0, symbols: 0 }, 'number of letters exceeds available letters and repeats are not allowed'],
    [{ length: 27, digits: 0, symbols: 0, noUpper: true }, 'number of letters exceeds available letters and repeats are not allowed'],
    [{ length: 20, digits: 11, symbols: 0 }, 'number of digits exceeds available digits and repeats are not allowed'],
    [{ length: 20, digits: 0, symbols: 5, symbolCharacters: '-_$@' }, 'number of symbols exceeds available symbols and repeats are not allowed'],
  ])('%j: %s', (spec, message) => {
    const error = refused(spec);
    expect(error.code).toBe('InvalidGeneratorSpec');
    expect(error.message).toBe(message);
  });

  it('accepts those same counts with allowRepeat', () => {
    expect(one({ length: 53, digits: 0, symbols: 0, allowRepeat: true })).toHaveLength(53);
    expect(one({ length: 20, digits: 11, symbols: 5, symbolCharacters: '-_$@', allowRepeat: true })).toHaveLength(20);
  });

  it('refuses, where go-password would loop forever, symbols that repeat each other or the letters already drawn', () => {
    const repeated = thrown(() => one({ length: 2, digits: 0, symbols: 2, symbolCharacters: '##' }));
    expect(repeated.code).toBe('InvalidGeneratorSpec');
    expect(repeated.message).toMatch(/^symbolCharacters cannot supply 2 characters without repeats/);
    // The first choice each time: letters "a", "b"; then the symbols "ab" have nothing left.
    expect(thrown(() => one({ length: 4, digits: 0, symbols: 2, symbolCharacters: 'ab' }, first)).code).toBe('InvalidGeneratorSpec');
  });

  it('refuses secretKeys that are empty or repeated, as ESO does', () => {
    for (const secretKeys of [['a', 'a'], ['a', '']]) {
      const error = refused({ length: 8, secretKeys });
      expect(error).toMatchObject({ code: 'InvalidGeneratorSpec', message: 'secretKeys must be non-empty and unique' });
    }
  });
});

describe('Password: bounds, checked before anything is drawn', () => {
  const counting = () => {
    const random = Object.assign((max: number) => { random.calls++; return secureRandomInt(max); }, { calls: 0 });
    return random;
  };

  it('refuses more characters than a Secret holds, for one password or for all its keys', () => {
    const random = counting();
    const error = thrown(() => generatePassword({ length: MAX_PASSWORD_CHARS + 1, digits: 0, symbols: 0, allowRepeat: true }, random));
    expect(error.code).toBe('SecretTooLarge');
    expect(random.calls).toBe(0);
    const keys = thrown(() => generatePassword({ length: MAX_PASSWORD_CHARS / 2, digits: 0, symbols: 0, allowRepeat: true, secretKeys: ['a', 'b', 'c'] }, random));
    expect(keys.code).toBe('SecretTooLarge');
    expect(random.calls).toBe(0);
  });

  it('makes the largest password quickly (linear, not go-password\'s insertion)', () => {
    const pw = one({ length: MAX_PASSWORD_CHARS, digits: 1000, symbols: 1000, allowRepeat: true });
    expect(pw).toHaveLength(MAX_PASSWORD_CHARS);
  });
});

describe('Password: keys and encodings', () => {
  it('writes one password per secretKeys entry, each its own', () => {
    const out = text(generatePassword({ length: 24, secretKeys: ['user', 'admin'] }));
    expect(Object.keys(out)).toEqual(['user', 'admin']);
    expect(out['user']).not.toBe(out['admin']);
  });

  it.each([
    ['raw', (s: string) => s],
    ['base64', (s: string) => Buffer.from(s).toString('base64')],
    ['base64url', (s: string) => Buffer.from(s).toString('base64').replace(/\+/g, '-').replace(/\//g, '_')],
    ['hex', (s: string) => Buffer.from(s).toString('hex')],
    ['base32', (s: string) => base32.stringify(Buffer.from(s))],
  ] as const)('encodes %s as Go does (padded)', (encoding, expected) => {
    const spec = { length: 7, digits: 1, symbols: 1, symbolCharacters: '?', encoding } as const;
    const raw = one(spec, first);
    expect(text(generatePassword(spec, first))['password']).toBe(expected(raw));
  });

  it('base32 (the rfc4648 library): RFC 4648\'s vectors, as Go\'s StdEncoding writes them', () => {
    const vectors = { '': '', f: 'MY======', fo: 'MZXQ====', foo: 'MZXW6===', foob: 'MZXW6YQ=', fooba: 'MZXW6YTB', foobar: 'MZXW6YTBOI======' };
    for (const [plain, encoded] of Object.entries(vectors)) expect(base32.stringify(Buffer.from(plain))).toBe(encoded);
  });

  it('base64url keeps Go\'s padding', () => {
    const { password } = text(generatePassword({ length: 4, digits: 0, symbols: 0, encoding: 'base64url' }, first));
    expect(password).toMatch(/==$/);
  });
});

describe('secureRandomInt', () => {
  it('stays in range and reaches every value', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const v = secureRandomInt(7);
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(7);
      seen.add(v);
    }
    expect(seen.size).toBe(7);
    expect(secureRandomInt(1)).toBe(0);
  });
});
