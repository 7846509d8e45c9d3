import { describe, expect, it } from 'vitest';
import type { ExternalSecretRewriteMerge } from '../../src/api/generated.ts';
import { BoundedBytes, marshalAny, unmarshalObject } from '../../src/go/json/any.ts';
import { renderTransform } from '../../src/sync/render-target.ts';
import { dataFromMap, RewriteBudget } from '../../src/sync/rewrite.ts';
import { MAX_MERGE_VALUES, rewriteMerge } from '../../src/sync/rewrite-merge.ts';
import { text, thrown } from '../helpers/expect-helpers.ts';

const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));
const values = (map: Record<string, string>): Record<string, Uint8Array> =>
  Object.assign(Object.create(null), Object.fromEntries(Object.entries(map).map(([k, v]) => [k, bytes(v)])));
const AT = 'spec.dataFrom[0].rewrite[0].merge';
const merged = (map: Record<string, string>, merge: ExternalSecretRewriteMerge = {}) => text(rewriteMerge(values(map), merge, AT, new RewriteBudget()));
const failure = (map: Record<string, string>, merge: ExternalSecretRewriteMerge = {}) => thrown(() => rewriteMerge(values(map), merge, AT, new RewriteBudget()));

describe('rewrite.merge, strategy Extract (the default): the members become the keys', () => {
  it("writes each member as ESO's GetByteValue does: strings as text, numbers as FormatFloat 'f' -1, bools, null empty, objects and lists as json.Marshal", () => {
    const kinds = String.raw`{"s":"p@ss \"q\" \u00e9","int":5432,"ratio":1.50,"big":1e3,"huge":12345678901234567890,"tiny":1e-7,"neg":-0.0,` +
      String.raw`"on":true,"off":false,"none":null,"obj":{"b":2, "a":"<x>&", "c":1e21},"list":[1, "two" ,null, 1.0],"dup":"first","dup":"second"}`;
    expect(merged({ kinds })).toEqual({
      s: 'p@ss "q" é',
      int: '5432',
      ratio: '1.5',
      big: '1000',
      huge: '12345678901234567000',
      tiny: '0.0000001',
      neg: '-0',
      on: 'true',
      off: 'false',
      none: '',
      obj: String.raw`{"a":"\u003cx\u003e\u0026","b":2,"c":1e+21}`,
      list: '[1,"two",null,1]',
      dup: 'second',
    });
  });

  it('merges the members of every key; the input keys themselves are gone', () => {
    expect(merged({ db: '{"user":"u","port":5432}', cache: '{"url":"redis://x"}' })).toEqual({ user: 'u', port: '5432', url: 'redis://x' });
  });

  it('reads JSON null as no members, and decodes strings as Go does (invalid UTF-8 becomes U+FFFD)', () => {
    const raw = Object.assign(Object.create(null), { a: new Uint8Array([0x7b, 0x22, 0x6b, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]), b: bytes('null') });
    expect(text(rewriteMerge(raw, {}, AT, new RewriteBudget()))).toEqual({ k: '\ufffd' });
  });
});

describe('rewrite.merge: conflicts and priority', () => {
  const map = { a: '{"x":"from-a","only-a":"1"}', b: '{"x":"from-b"}', c: '{"x":"from-c"}' };

  it('refuses a member found in more than one value (conflictPolicy Error, the default), naming the members sorted', () => {
    const error = failure({ ...map, d: '{"only-a":"2"}' });
    expect(error.code).toBe('InvalidSecretKey');
    expect(error.message).toBe(`${AT}: keys "only-a", "x" are in more than one of the merged values; set conflictPolicy: Ignore (the last in priority order wins) or keep them apart`);
  });

  it('with conflictPolicy Ignore, keys merge in Go string order and a later one wins', () => {
    expect(merged(map, { conflictPolicy: 'Ignore' })).toEqual({ x: 'from-c', 'only-a': '1' });
  });

  it('merges the priority keys last, in the order listed: the last one listed wins', () => {
    expect(merged(map, { conflictPolicy: 'Ignore', priority: ['a'] })).toEqual({ x: 'from-a', 'only-a': '1' });
    expect(merged(map, { conflictPolicy: 'Ignore', priority: ['a', 'b'] })).toEqual({ x: 'from-b', 'only-a': '1' });
  });

  it('a priority key that is missing fails under priorityPolicy Strict (the default) and is skipped under IgnoreNotFound', () => {
    const error = failure(map, { conflictPolicy: 'Ignore', priority: ['zzz'] });
    expect(error.code).toBe('PropertyNotFound');
    expect(error.message).toMatch(/priority key "zzz" is not among the keys to merge/);
    expect(merged(map, { conflictPolicy: 'Ignore', priority: ['zzz', 'a'], priorityPolicy: 'IgnoreNotFound' })).toEqual({ x: 'from-a', 'only-a': '1' });
  });
});

describe('rewrite.merge, strategy JSON: one key gets the merged object', () => {
  it('keeps the keys and writes the object into `into`: keys sorted, no spacing, HTML characters not escaped', () => {
    expect(merged({ a: '{"z": "<&>", "n": 1.50}', b: '{"m": [true, {"y": null, "b": "é"}]}' }, { strategy: 'JSON', into: 'all' })).toEqual({
      a: '{"z": "<&>", "n": 1.50}',
      b: '{"m": [true, {"y": null, "b": "é"}]}',
      all: '{"m":[true,{"b":"é","y":null}],"n":1.5,"z":"<&>"}',
    });
  });

  it('escapes what encoding/json always escapes: control characters, U+2028 and U+2029', () => {
    expect(merged({ a: String.raw`{"k":"tab\there\u0001\u2028"}` }, { strategy: 'JSON', into: 'all' }).all).toBe(String.raw`{"k":"tab\there\u0001\u2028"}`);
  });

  it('needs `into`: without it the spec is invalid', () => {
    expect(failure({ a: '{}' }, { strategy: 'JSON' }).code).toBe('InvalidSpec');
  });
});

describe('rewrite.merge: values that are not JSON objects', () => {
  it.each([
    ['a string', '"text"', 'json: cannot unmarshal string into Go value of type map[string]interface {}'],
    ['a list', ' [1]', 'json: cannot unmarshal array into Go value of type map[string]interface {}'],
    ['a number', '42', 'json: cannot unmarshal number into Go value of type map[string]interface {}'],
    ['a bool', 'true', 'json: cannot unmarshal bool into Go value of type map[string]interface {}'],
    ['not JSON', '{"a":', 'not valid JSON (at byte 5)'],
    // Go's message quotes the number; a secret's digits stay out of ours.
    ['a number out of float64 range', '{"a":{"b":1e999}}', "json: cannot unmarshal a number out of float64's range into Go value of type float64"],
  ])('%s is DecodingFailed, naming the key, not the value', (_what, value, reason) => {
    const error = failure({ secret: value });
    expect(error.code).toBe('DecodingFailed');
    expect(error.message).toBe(`${AT}: the value of key "secret" is not a JSON object, which merge needs: ${reason}`);
  });
});

describe('rewrite.merge: bounds', () => {
  it(`decodes at most ${MAX_MERGE_VALUES} JSON values in one reconcile, whatever the number of merges`, () => {
    const many = `{"a":[${'[],'.repeat(60_000)}[]]}`;
    const budget = new RewriteBudget();
    expect(Object.keys(rewriteMerge(values({ one: many }), {}, AT, budget))).toEqual(['a']);
    expect(() => rewriteMerge(values({ two: many }), {}, AT, budget)).toThrow(expect.objectContaining({ code: 'SecretTooLarge' }));
  });

  it('stops encoding once the merged values pass what a Secret holds (escaping grows them sixfold)', () => {
    const lt = `{"a":{"k":"${'<'.repeat(200_000)}"}}`;
    expect(failure({ big: lt }).code).toBe('SecretTooLarge');
  });

  it('decodes and encodes the deepest JSON Go accepts without running out of stack', () => {
    const depth = 9_999;
    const deep = `{"a":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    expect(merged({ deep }).a).toBe(`${'['.repeat(depth)}${']'.repeat(depth)}`);
  });
});

describe('rewrite.merge among the other rewrites', () => {
  it('is one step of the list: later rewrites rename what it made, then the keys are validated', () => {
    const out = dataFromMap(values({ 'app/db': '{"user":"u"}', 'app/cache': '{"url":"r"}' }), {
      rewrite: [{ merge: {} }, { regexp: { source: '^', target: 'APP_' } }],
      renderTransform,
      context: 'spec.dataFrom[0]',
    });
    expect(text(out)).toEqual({ APP_user: 'u', APP_url: 'r' });
  });
});

describe('go/json/any: Unmarshal into map[string]interface{}, Marshal back', () => {
  it('round-trips to the canonical form Go writes', () => {
    const w = new BoundedBytes({ left: 1000 });
    marshalAny(unmarshalObject(bytes('{ "b" : [ 1e2 , "\\u00e9" ] , "a" : { } , "é" : "\\/" }')), w, true);
    expect(Buffer.from(w.result()).toString()).toBe('{"a":{},"b":[100,"é"],"é":"/"}');
  });
});
