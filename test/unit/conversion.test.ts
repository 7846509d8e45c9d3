import { describe, expect, it } from 'vitest';
import { OperatorError } from '../../src/errors.ts';
import { convertKey, convertKeys } from '../../src/sync/conversion.ts';

/** Expected values from ESO's convert() (runtime/esutils/utils.go) run under Go 1.26. */
const goCases: [key: string, byDefault: string, byUnicode: string][] = [
  ['db password', 'db_password', 'db_U0020_password'],
  ['a/b', 'a_b', 'a_U002f_b'],
  ['😀', '_', '_U1f600_'],
  ['é', 'é', 'é'], // letters are kept, even outside ASCII
  ['٣', '٣', '٣'], // Arabic-Indic digit: a number
  ['Ⅻ', 'Ⅻ', 'Ⅻ'], // letter number
  ['e\u0301', 'e_', 'e_U0301_'], // a combining mark is neither
  ['a\u00a0b', 'a_b', 'a_U00a0_b'],
  ['a.b-c_d', 'a.b-c_d', 'a.b-c_d'],
  ['x:y', 'x_y', 'x_U003a_y'],
  ['\u{10ffff}', '_', '_U10ffff_'],
  ['$', '_', '_U0024_'],
  ['k8s/secret:v1', 'k8s_secret_v1', 'k8s_U002f_secret_U003a_v1'],
];

describe('convertKey', () => {
  it.each(goCases)('%j becomes %j (Default) and %j (Unicode)', (key, byDefault, byUnicode) => {
    expect(convertKey(key, 'Default')).toBe(byDefault);
    expect(convertKey(key, undefined)).toBe(byDefault);
    expect(convertKey(key, 'Unicode')).toBe(byUnicode);
  });

  it('treats a lone surrogate as Go treats invalid UTF-8: U+FFFD', () => {
    expect(convertKey('a\ud800', 'Unicode')).toBe('a_Ufffd_');
  });
});

describe('convertKeys', () => {
  const v = (text: string): Uint8Array => new Uint8Array(Buffer.from(text));

  it('converts the keys and keeps the values', () => {
    const out = convertKeys({ 'db/user': v('u'), 'db/pass': v('p') }, 'Default', 'spec.dataFrom[0]');
    expect(Object.keys(out).sort()).toEqual(['db_pass', 'db_user']);
    expect(Buffer.from(out['db_user']!).toString()).toBe('u');
  });

  it('refuses two keys that become one, as ESO does, naming both', () => {
    try {
      convertKeys({ 'a/b': v('1'), 'a:b': v('1') }, 'Default', 'spec.dataFrom[1]');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(OperatorError);
      expect((error as OperatorError).code).toBe('InvalidSecretKey');
      expect((error as Error).message).toMatch(/spec\.dataFrom\[1\]: keys "a\/b" and "a:b" both become "a_b"/);
    }
    // Unicode keeps them apart.
    expect(Object.keys(convertKeys({ 'a/b': v('1'), 'a:b': v('1') }, 'Unicode', 'x')).sort()).toEqual(['a_U002f_b', 'a_U003a_b']);
  });
});
