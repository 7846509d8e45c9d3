import { describe, expect, it } from 'vitest';
import {
  dataHash,
  goFormatByteMap,
  goFormatMeta,
  goFormatStringMap,
  metaHash,
  objectHash,
  syncedResourceVersion,
} from '../../src/go/hash.ts';

const bytes = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'utf8'));

describe('Go %v formatting', () => {
  it('prints a map[string][]byte with decimal bytes', () => {
    expect(goFormatByteMap({ password: bytes('ab') })).toBe('map[password:[97 98]]');
  });

  it('prints empty maps and empty values', () => {
    expect(goFormatByteMap({})).toBe('map[]');
    expect(goFormatByteMap({ k: new Uint8Array() })).toBe('map[k:[]]');
  });

  it('sorts keys by their bytes, as Go compares strings', () => {
    expect(goFormatByteMap({ b: Uint8Array.of(0, 255, 10), A: bytes('é'), 'config.json': bytes('{}') })).toBe(
      'map[A:[195 169] b:[0 255 10] config.json:[123 125]]',
    );
    // U+FFFF sorts before U+1F600 in UTF-8, after it in UTF-16.
    expect(goFormatByteMap({ '\u{1F600}': bytes('y'), '\uffff': bytes('x'), z: bytes('z') })).toBe(
      'map[z:[122] \uffff:[120] \u{1F600}:[121]]',
    );
  });

  it('prints a map[string]string without quoting; nil is map[]', () => {
    expect(goFormatStringMap(undefined)).toBe('map[]');
    expect(goFormatStringMap({})).toBe('map[]');
    expect(goFormatStringMap({ b: '2', a: '1' })).toBe('map[a:1 b:2]');
    expect(goFormatStringMap({ 'x y': 'a:b c' })).toBe('map[x y:a:b c]');
  });

  it("prints ESO's meta struct with %+v: annotations first", () => {
    expect(goFormatMeta(undefined, undefined)).toBe('{annotations:map[] labels:map[]}');
    expect(goFormatMeta({ app: 'web' }, { 'force-sync': '1700000000' })).toBe(
      '{annotations:map[force-sync:1700000000] labels:map[app:web]}',
    );
  });
});

// Values computed by Go's fmt.Sprintf("%+v", ...) + crypto/sha3.Sum224, the algorithm ESO 2.x uses
// (runtime/esutils.ObjectHash), on the same inputs.
describe('ESO hashes', () => {
  it('dataHash matches ESO for a Secret data map', () => {
    expect(dataHash({ password: bytes('ab') })).toBe('2ea9962a0b1d95b60254c0af3abbcc700a24abd9b44b97cdcd2bcefd');
    expect(
      dataHash({ username: bytes('admin'), password: bytes('s3cr3t!'), empty: new Uint8Array(), nil: new Uint8Array() }),
    ).toBe('e66efcdef6b55a73cee78b63bf9b6d3ec021075aa5c4e5ce44299d58');
    expect(dataHash({ 'config.json': bytes('{"a":1}'), b: Uint8Array.of(0, 255, 10), A: bytes('é') })).toBe(
      'c747f2a7ad23fed553376e4442bd7fe0129156e474930d5f774fe565',
    );
    expect(dataHash({})).toBe('74a974446e359fb3e6baff9bd0058950e6edd0f040888d9989b0a11b');
    expect(dataHash({ '\uffff': bytes('x'), '\u{1F600}': bytes('y'), z: bytes('z') })).toBe(
      'ea5cfe2b1416000367b83a6e1393984a536e9784b3c7e10404f263a3',
    );
  });

  it('metaHash matches ESO for labels and annotations', () => {
    expect(metaHash()).toBe('f47fe3c0b255b6dd8047cdffa772587bb829efe7a1cb70febeda2eb2');
    expect(metaHash({ app: 'web' }, { 'force-sync': '1700000000' })).toBe(
      '662a7f5d7a59bf1c982558c35fec9b5bc13bd2da0f80a2160ae3825b',
    );
    expect(metaHash({ b: '2', a: '1' }, {})).toBe('34d5f4717d8d5942df322b4b2d4f4260fa627ff69278bd9fc50ebef2');
    expect(
      metaHash(undefined, { 'x y': 'a:b c', 'kubectl.kubernetes.io/last-applied-configuration': '{"k":"v"}\n' }),
    ).toBe('eb36ed9f685e788d9adbc118ed54b179123d8df7bf9a20c83de5d4b1');
  });

  it('treats nil and empty maps alike, as %v prints both as map[]', () => {
    expect(metaHash({}, {})).toBe(metaHash(undefined, undefined));
  });

  it('syncedResourceVersion is <generation>-<metaHash>', () => {
    expect(syncedResourceVersion(1, undefined, undefined)).toBe('1-f47fe3c0b255b6dd8047cdffa772587bb829efe7a1cb70febeda2eb2');
    expect(syncedResourceVersion(7, { app: 'web' }, { 'force-sync': '1700000000' })).toBe(
      '7-662a7f5d7a59bf1c982558c35fec9b5bc13bd2da0f80a2160ae3825b',
    );
    expect(() => syncedResourceVersion(1.5, undefined, undefined)).toThrow(RangeError);
  });

  it('objectHash of a string is the owner label ESO writes', () => {
    expect(objectHash('default/my-es')).toBe('b8464376b5fe3535e690594280bfe59b60be2603cb6cbb6d6c8bcbb4');
  });
});
