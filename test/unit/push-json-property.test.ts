import { describe, expect, it } from 'vitest';
import { setJsonProperty } from '../../src/push/json-property.ts';

const set = (current: string, property: string, value: string) => setJsonProperty(current, property, value, 'spec.data[0]');

describe('setJsonProperty (sjson.SetBytes as ESO calls it for remoteRef.property)', () => {
  it('makes a new object, parents included, of an empty or scalar value', () => {
    expect(set('', 'user', 'admin')).toBe('{"user":"admin"}');
    expect(set('', 'db.user', 'admin')).toBe('{"db":{"user":"admin"}}');
    expect(set('"a string"', 'user', 'admin')).toBe('{"user":"admin"}');
  });

  it('replaces an existing value in place, keeping every other byte', () => {
    expect(set('{ "a" : 1,\n  "user": "old" , "z":[1, 2] }', 'user', 'new')).toBe('{ "a" : 1,\n  "user": "new" , "z":[1, 2] }');
    expect(set('{"db":{"user":"old","pass":"p"},"x":{}}', 'db.user', 'new')).toBe('{"db":{"user":"new","pass":"p"},"x":{}}');
    expect(set('{"user":{"deep":true}}', 'user', 'flat')).toBe('{"user":"flat"}');
  });

  it('appends a missing key before the closing brace, with a comma only after members', () => {
    expect(set('{"a":"1"}', 'b', '2')).toBe('{"a":"1","b":"2"}');
    expect(set('{"a":"1"\n}', 'b', '2')).toBe('{"a":"1"\n,"b":"2"}');
    expect(set('{}', 'b', '2')).toBe('{"b":"2"}');
    expect(set('{ }', 'b', '2')).toBe('{ "b":"2"}');
    expect(set('{"db":{}}', 'db.user', 'u')).toBe('{"db":{"user":"u"}}');
    expect(set('{"db":{"a":1}}', 'db.b.c', 'u')).toBe('{"db":{"a":1,"b":{"c":"u"}}}');
    // At the top, sjson rebuilds the object from its parsed text: the space around it goes.
    expect(set('  {"a":"1"}  ', 'b', '2')).toBe('{"a":"1","b":"2"}');
    // Nested, the text around is kept.
    expect(set('  {"db":{"a":1}}  ', 'db.b', '2')).toBe('  {"db":{"a":1,"b":"2"}}  ');
  });

  it('replaces a scalar in the way with the object the rest of the path needs', () => {
    expect(set('{"db":"x","k":1}', 'db.user', 'u')).toBe('{"db":{"user":"u"},"k":1}');
  });

  it('reads `\\.` as a dot inside a key, and matches escaped keys by their text', () => {
    expect(set('{"a.b":"1"}', 'a\\.b', '2')).toBe('{"a.b":"2"}');
    expect(set('{"\\u0061":"1"}', 'a', '2')).toBe('{"\\u0061":"2"}');
  });

  it('writes the value as sjson does: plain quotes unless a byte needs escaping, then Go\'s HTML-escaping encoder', () => {
    expect(set('', 'k', 'a<b>&c')).toBe('{"k":"a<b>&c"}');
    expect(set('', 'k', 'q"<x>')).toBe('{"k":"q\\"\\u003cx\\u003e"}');
    expect(set('', 'k', 'line\nbreak')).toBe('{"k":"line\\nbreak"}');
    expect(set('', 'k', 'é')).toBe('{"k":"é"}');
  });

  it('refuses a remote value that is not JSON, as ESO does, and paths it would have to guess', () => {
    expect(() => set('not json', 'k', 'v')).toThrow('spec.data[0]: PushSecret for aws secrets manager with a pushSecretData property requires a json secret');
    expect(() => set('not json', 'k', 'v')).toThrow(expect.objectContaining({ code: 'DecodingFailed' }));
    expect(() => set('{}', 'a.*', 'v')).toThrow(expect.objectContaining({ code: 'InvalidSpec' }));
    expect(() => set('[1,2]', 'k', 'v')).toThrow(/JSON array/);
    expect(() => set('{"a":[1]}', 'a.0', 'v')).toThrow(/goes through an array/);
    expect(() => set('', 'list.0', 'v')).toThrow(/would create an array/);
  });
});
