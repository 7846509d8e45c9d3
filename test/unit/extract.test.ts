import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractMap } from '../../src/sync/extract.ts';
import { codeOf, text } from '../helpers/expect-helpers.ts';

/**
 * Expected maps from ESO's GetSecretMap logic (json.Unmarshal into map[string]json.RawMessage, then
 * each value unmarshalled as a string when it is one) run under Go 1.26.
 */
describe('extractMap, as ESO builds the map', () => {
  it('keeps non-string values as their exact source text', () => {
    const secret = '{"port": 5432, "nested": {"a" : 1}, "user":"admin", "pi": 1.50, "big": 1e400, "ok": true, "none": null, "list": [1, "two"] }';
    expect(text(extractMap(secret, 'db'))).toEqual({
      port: '5432',
      nested: '{"a" : 1}',
      user: 'admin',
      pi: '1.50',
      big: '1e400',
      ok: 'true',
      none: '',
      list: '[1, "two"]',
    });
  });

  it('unescapes keys and strings as Go does, lone surrogates included', () => {
    const secret = '{"caf\\u00e9":"\\ud83d\\ude00","lone":"x\\ud800y","esc":"\\"\\\\\\/\\b\\f\\n\\r\\t"}';
    expect(text(extractMap(secret, 's'))).toEqual({ café: '😀', lone: 'x\ufffdy', esc: '"\\/\b\f\n\r\t' });
  });

  it('keeps the last of duplicate keys, and the empty key (validation drops it later)', () => {
    expect(text(extractMap('{"a":1,"a":"two"}', 's'))).toEqual({ a: 'two' });
    expect(text(extractMap(' {"":"empty"}\n', 's'))).toEqual({ '': 'empty' });
  });

  it('gives no keys and no error for null', () => {
    expect(extractMap('null', 's')).toEqual({});
    expect(extractMap(' null ', 's')).toEqual({});
  });

  it('refuses what Go refuses, naming the secret', () => {
    for (const bad of ['{"a":01}', '{"a":1,}', '{"a":1} x', '', '{"a":"\u0001"}', "{'a':1}", '{"a":tru}', '{"a":1.}', '{"a":"\\x"}']) {
      expect(codeOf(() => extractMap(bad, 'app/config')), bad).toBe('DecodingFailed');
    }
    expect(() => extractMap('{"a":01}', 'app/config')).toThrow(/secret "app\/config" is not valid JSON/);
    expect(() => extractMap('[1]', 'app/config')).toThrow(/secret "app\/config" is a JSON array, not an object/);
    expect(() => extractMap('"str"', 'k')).toThrow(/a JSON string, not an object/);
    expect(() => extractMap('42', 'k')).toThrow(/a JSON number, not an object/);
  });

  it('does not put the value in the message', () => {
    expect(() => extractMap('s3cr3t-plain-text', 'k')).toThrow(expect.objectContaining({ message: expect.not.stringContaining('s3cr3t') }));
  });

  it('refuses nesting beyond Go’s 10000 levels', () => {
    const nested = (depth: number): string => `{"a":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;
    expect(Object.keys(extractMap(nested(10000), 'k'))).toEqual(['a']);
    expect(codeOf(() => extractMap(nested(10001), 'k'))).toBe('DecodingFailed');
  });

  it('reads SecretBinary bytes: invalid UTF-8 in strings becomes U+FFFD, raw values keep their bytes', () => {
    // {"k<ff>":"<e2 82>","r":["<ff>"]}: an invalid byte, a truncated sequence, and one inside raw JSON.
    const payload = new Uint8Array(Buffer.from('{"k\xff":"\xe2\x82","r":["\xff"]}', 'latin1'));
    const out = extractMap(payload, 'bin');
    expect(Object.keys(out).sort()).toEqual(['k\ufffd', 'r']);
    // Go writes one U+FFFD per byte of an invalid sequence.
    expect(Buffer.from(out['k\ufffd']!).toString('hex')).toBe('efbfbdefbfbd');
    expect(Buffer.from(out['r']!).toString('hex')).toBe('5b22ff225d');
  });

  it('keeps a __proto__ key as data', () => {
    const out = extractMap('{"__proto__":"x","constructor":"y"}', 'k');
    expect(Object.keys(out).sort()).toEqual(['__proto__', 'constructor']);
    expect(Buffer.from(out['__proto__']!).toString()).toBe('x');
  });

  it('agrees with JSON.parse on the keys and string values of valid objects', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer(), fc.boolean())), (object) => {
        // JSON.stringify writes lone surrogates as escapes, which Go (like us) turns into U+FFFD.
        const wellFormed = Object.entries(object).every(([k, v]) => k.isWellFormed() && (typeof v !== 'string' || v.isWellFormed()));
        fc.pre(wellFormed);
        const out = extractMap(JSON.stringify(object, null, 1), 'k');
        expect(Object.keys(out).sort()).toEqual(Object.keys(object).sort());
        for (const [k, v] of Object.entries(object)) expect(Buffer.from(out[k]!).toString()).toBe(String(v));
      }),
    );
  });
});

describe('extractMap with a property', () => {
  const secret = '{"db":{"user":"u","port":5432},"inner":"{\\"x\\":\\"y\\"}","list":[1],"none":null}';

  it('reads the object the property selects', () => {
    expect(text(extractMap(secret, 'app', 'db'))).toEqual({ user: 'u', port: '5432' });
  });

  it('parses a string property holding JSON, as ESO parses gjson’s unescaped text', () => {
    expect(text(extractMap(secret, 'app', 'inner'))).toEqual({ x: 'y' });
  });

  it('reports a missing property as PropertyNotFound naming the key', () => {
    expect(() => extractMap(secret, 'app', 'nope')).toThrow(expect.objectContaining({ code: 'PropertyNotFound', message: 'secret "app" has no property "nope"' }));
  });

  it('reports a property that is not an object, or is null (empty text), as DecodingFailed', () => {
    expect(() => extractMap(secret, 'app', 'list')).toThrow(/property "list" of secret "app" is a JSON array/);
    expect(codeOf(() => extractMap(secret, 'app', 'none'))).toBe('DecodingFailed');
  });

  it('reports gjson syntax we do not evaluate as UnsupportedField', () => {
    expect(codeOf(() => extractMap(secret, 'app', '@reverse'))).toBe('UnsupportedField');
  });
});
