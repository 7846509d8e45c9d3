import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractPropertyBytes, PropertyPathError } from '../../src/sync/property-path.ts';

/** The property's value as text (what its bytes say in UTF-8), or undefined where ESO finds none. */
function extractProperty(json: string, property: string): string | undefined {
  const bytes = extractPropertyBytes(json, property);
  return bytes === undefined ? undefined : Buffer.from(bytes).toString('utf8');
}

/**
 * Every expected value below was checked against ESO's own code path: escapeDotsIfRequired, then
 * tidwall/gjson v1.18.0 (the version ESO 2.x's AWS provider pins) Get(...).String(), run in Go.
 */
const cases: [name: string, json: string, property: string, expected: string | undefined][] = [
  ['top-level string', '{"username":"admin","password":"s3cr3t"}', 'password', 's3cr3t'],
  ['nested key', '{"db":{"host":"db.internal","port":5432}}', 'db.host', 'db.internal'],
  ['deeper nesting', '{"a":{"b":{"c":{"d":"deep"}}}}', 'a.b.c.d', 'deep'],
  ['array index', '{"hosts":["a.example","b.example"]}', 'hosts.1', 'b.example'],
  ['array index out of range', '{"hosts":["a.example"]}', 'hosts.1', undefined],
  ['index into array of objects', '{"users":[{"name":"ann"},{"name":"bob"}]}', 'users.1.name', 'bob'],
  ['top-level array', '[{"a":"x"},{"a":"y"}]', '1.a', 'y'],
  ['numeric key in an object', '{"0":"zero"}', '0', 'zero'],
  ['escaped dot', '{"a.b":{"c":"x"}}', 'a\\.b.c', 'x'],
  ['literal dotted key preferred', '{"a":{"b":"nested"},"a.b":"literal"}', 'a.b', 'literal'],
  ['dotted property falls back to a path', '{"a":{"b":"nested"}}', 'a.b', 'nested'],
  ['literal check is for top-level keys only', '{"x":{"a.b":"v"}}', 'x.a.b', undefined],
  ['escaped dot below the top level', '{"x":{"a.b":"v"}}', 'x.a\\.b', 'v'],
  ['integer kept as written', '{"port":5432}', 'port', '5432'],
  ['negative integer', '{"n":-17}', 'n', '-17'],
  ['leading zeros kept', '{"n":007}', 'n', '007'],
  ['big integer kept', '{"n":123456789012345678901234567890}', 'n', '123456789012345678901234567890'],
  ['negative zero kept', '{"n":-0}', 'n', '-0'],
  ['fraction re-printed by Go', '{"x":1.50}', 'x', '1.5'],
  ['fraction', '{"x":0.1}', 'x', '0.1'],
  ['whole fraction', '{"x":2.0}', 'x', '2'],
  ['exponent expanded', '{"x":1e3}', 'x', '1000'],
  ['capital exponent', '{"x":1E+2}', 'x', '100'],
  ['small exponent', '{"x":-2.5e-7}', 'x', '-0.00000025'],
  ['large exponent', '{"x":1e21}', 'x', '1000000000000000000000'],
  ['overflow', '{"x":1e400}', 'x', '+Inf'],
  ['float64 rounding', '{"x":3.14159265358979323846}', 'x', '3.141592653589793'],
  ['true', '{"enabled":true}', 'enabled', 'true'],
  ['false', '{"enabled":false}', 'enabled', 'false'],
  ['null is the empty string', '{"v":null}', 'v', ''],
  ['empty string', '{"v":""}', 'v', ''],
  ['object raw, spacing kept', '{"o": {"a" : 1,  "b":[1, 2.50]} }', 'o', '{"a" : 1,  "b":[1, 2.50]}'],
  ['array raw', '{"l":[ 1,"two" ,null]}', 'l', '[ 1,"two" ,null]'],
  ['unicode key and value', '{"名前":"値 😀"}', '名前', '値 😀'],
  ['escapes decoded', '{"k":"caf\\u00e9 \\ud83d\\ude00 \\"q\\"\\n\\t\\\\\\/"}', 'k', 'café 😀 "q"\n\t\\/'],
  ['escaped key', '{"a\\u002eb":"v"}', 'a\\.b', 'v'],
  ['lone surrogate escape', '{"k":"\\ud800x"}', 'k', '\ufffdx'],
  ['first of duplicate keys', '{"k":"first","k":"second"}', 'k', 'first'],
  ['missing key', '{"a":"b"}', 'c', undefined],
  ['missing nested key', '{"a":{"b":"c"}}', 'a.x', undefined],
  ['path through a string', '{"a":"b"}', 'a.b', undefined],
  ['wildcard', '{"user_name":"x"}', 'user_*', 'x'],
  ['single-character wildcard', '{"key1":"v"}', 'key?', 'v'],
  ['escaped wildcard is literal', '{"k*":"star","kx":"x"}', 'k\\*', 'star'],
  ['array length', '{"a":[1,2,3]}', 'a.#', '3'],
  ['collect from elements', '{"a":[{"b":1},{"b":"x"},{"c":2}]}', 'a.#.b', '[1,"x"]'],
  ['pipe', '{"a":{"b":2}}', 'a|b', '2'],
  ['not JSON at all', 'user=admin', 'user', undefined],
  ['plain string secret', '"just a string"', 'a', undefined],
  ['text before the JSON is skipped', 'prefix {"a":"b"}', 'a', 'b'],
  ['truncated object', '{"a":"b"', 'a', 'b'],
  ['truncated after the value', '{"a":1,"b":', 'a', '1'],
  ['unterminated string value', '{"a":"b', 'a', undefined],
  ['extra commas', '{"a": 1,,, "b": 2}', 'b', '2'],
  ['single quotes are not strings', "{'a':'b'}", 'a', undefined],
  ['partial literal', '{"a":tru}', 'a', 'true'],
  ['malformed number', '{"a":1.2.3}', 'a', '0'],
  ['bare minus', '{"a":-}', 'a', '-'],
  ['NaN', '{"a":NaN}', 'a', 'NaN'],
  ['key without a value takes the next one', '{"a" "b":"c"}', 'a', 'b'],
  ['empty document', '', 'a', undefined],
];

describe('extractProperty', () => {
  it.each(cases)('%s', (_name, json, property, expected) => {
    expect(extractProperty(json, property)).toBe(expected);
  });

  it('returns the whole secret for an empty property, as ESO does', () => {
    expect(extractProperty('not json', '')).toBe('not json');
  });

  it.each([
    ['a modifier', '[1,2]', '@reverse'],
    ['a modifier after a dot', '{"a":[1,2]}', 'a.@reverse'],
    ['a query', '{"a":[{"b":1}]}', 'a.#(b==1)'],
    ['a multipath', '{"a":1,"b":2}', '[a,b]'],
    ['an object multipath', '{"a":1}', '{a}'],
    ['a literal', '{"a":1}', '!true'],
    ['JSON lines', '{"a":1}', '..a'],
  ])('refuses %s with PropertyPathError', (_feature, json, property) => {
    expect(() => extractProperty(json, property)).toThrow(PropertyPathError);
    try {
      extractProperty(json, property);
    } catch (error) {
      expect((error as PropertyPathError).code).toBe('PropertyPathError');
      expect((error as Error).message).toContain(JSON.stringify(property));
    }
  });

  it('treats look-alikes of unsupported syntax as keys, like gjson', () => {
    expect(extractProperty('{"@nope":"v"}', '@nope')).toBe('v');
    expect(extractProperty('{"!x":"v"}', '!x')).toBe('v');
  });

  it('refuses a path nested beyond any real secret instead of exhausting the stack', () => {
    const deep = `${'['.repeat(5000)}1${']'.repeat(5000)}`;
    expect(() => extractProperty(deep, Array.from({ length: 5000 }, () => '0').join('.'))).toThrow(PropertyPathError);
    expect(extractProperty(`${'['.repeat(50)}7${']'.repeat(50)}`, Array.from({ length: 50 }, () => '0').join('.'))).toBe('7');
  });

  it('searches SecretBinary bytes and returns exact bytes', () => {
    const payload = Uint8Array.from([...Buffer.from('{"k":"'), 0xff, 0xfe, ...Buffer.from('"}')]);
    expect(extractPropertyBytes(payload, 'k')).toEqual(Uint8Array.from([0xff, 0xfe]));
  });

  it('never throws anything but PropertyPathError, and terminates', () => {
    const syntax = fc.constantFrom(...'{}[]()"\\:,.#*?|@!0123456789aben-tfuxe '.split(''), '😀', 'é', '\u0000');
    const text = fc.oneof(fc.string({ unit: syntax, maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 60 }));
    fc.assert(
      fc.property(fc.oneof(text, fc.json()), text, (json, property) => {
        try {
          const value = extractProperty(json, property);
          return value === undefined || typeof value === 'string';
        } catch (error) {
          return error instanceof PropertyPathError;
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('returns any top-level string value by its plain key', () => {
    // Keys gjson reads as plain text: no path syntax, and not empty (empty means "the whole secret").
    const isPlainKey = (key: string): boolean => key !== '' && !/[.\\*?|#]/.test(key) && !/^[@![{]/.test(key);
    const plainKey = fc.string({ unit: 'grapheme', minLength: 1 }).filter(isPlainKey);
    // Objects with at least one string member under a plain key (the members asserted on), among
    // members of any key and any JSON value, so every run checks something.
    const strings = fc.dictionary(plainKey, fc.string({ unit: 'grapheme' }), { minKeys: 1 });
    const others = fc.dictionary(fc.string({ unit: 'grapheme' }), fc.jsonValue({ stringUnit: 'grapheme' }));
    const document = fc
      .tuple(strings, others)
      .map(([strings, others]) => ({ strings, json: JSON.stringify({ ...others, ...strings }) }));
    fc.assert(
      fc.property(document, ({ strings, json }) => {
        for (const [key, item] of Object.entries(strings)) expect(extractProperty(json, key)).toBe(item);
      }),
      { numRuns: 1000 },
    );
  });
});
