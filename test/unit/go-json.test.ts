import { describe, expect, it } from 'vitest';
import { goJsonString, goJsonStringMap } from '../../src/go/json/encode.ts';

// Expected values are what Go's json.Marshal prints for the same input.
describe('Go json.Marshal compatibility', () => {
  it('escapes like Go, including HTML characters and line separators', () => {
    expect(goJsonString('a"b\\c\n\t')).toBe('"a\\"b\\\\c\\n\\t"');
    expect(goJsonString('<a&b>')).toBe('"\\u003ca\\u0026b\\u003e"');
    expect(goJsonString('\u2028\u0001')).toBe('"\\u2028\\u0001"');
    expect(goJsonString('é🙂')).toBe('"é🙂"');
    expect(goJsonString('\ud800x')).toBe('"\ufffdx"');
  });

  it('sorts map keys by bytes', () => {
    expect(goJsonStringMap({ team: 'platform', Environment: 'production', a: '1' })).toBe('{"Environment":"production","a":"1","team":"platform"}');
    expect(goJsonStringMap({})).toBe('{}');
  });
});
