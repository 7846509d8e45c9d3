import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OperatorError } from '../../src/errors.ts';
import { decodeMap, decodeValue } from '../../src/sync/decoding.ts';

const bytes = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'latin1'));
const hex = (value: Uint8Array): string => Buffer.from(value).toString('hex');

/**
 * Expected values from Go 1.26: base64.StdEncoding / base64.URLEncoding DecodeString, as ESO's
 * runtime/decoding Decode calls them (undefined: Go returns an error).
 */
const goCases: [strategy: 'Base64' | 'Base64URL', input: string, hex: string | undefined][] = [
  ['Base64', 'YmFy', '626172'],
  ['Base64', 'Zm9vJV8/YmFy', '666f6f255f3f626172'],
  ['Base64', 'Zm9vJV8_YmFy', undefined], // URL alphabet
  ['Base64URL', 'Zm9vJV8_YmFy', '666f6f255f3f626172'],
  ['Base64URL', 'Zm9vJV8/YmFy', undefined], // standard alphabet
  ['Base64', 'foo', undefined],
  ['Base64', 'YQ', undefined], // padding is required
  ['Base64', 'YQ==', '61'],
  ['Base64', 'YQ==\n', '61'], // \r and \n are ignored anywhere
  ['Base64', 'Y\r\nQ=\n=', '61'],
  ['Base64', 'YQ== ', undefined], // other whitespace is not
  ['Base64', ' YQ==', undefined],
  ['Base64', 'YQ==YQ==', undefined], // nothing after the padding
  ['Base64', 'YR==', '61'], // non-zero trailing bits are accepted
  ['Base64', '', ''],
  ['Base64', 'YWI=', '6162'],
  ['Base64', 'YWJj', '616263'],
  ['Base64', '====', undefined],
  ['Base64', 'YQ=x', undefined],
  ['Base64', 'test', 'b5eb2d'],
  ['Base64URL', 'eyJhbGciOiJIUzI1NiJ9', '7b22616c67223a224853323536227d'],
];

describe('decodeValue', () => {
  it.each(goCases)('%s %j as Go decodes it', (strategy, input, expected) => {
    if (expected === undefined) {
      expect(() => decodeValue(bytes(input), strategy, 'spec.data[0]')).toThrow(OperatorError);
    } else {
      expect(hex(decodeValue(bytes(input), strategy, 'spec.data[0]'))).toBe(expected);
    }
  });

  it('keeps the value for None and for no strategy', () => {
    const value = bytes('Zm9v');
    expect(decodeValue(value, 'None', 'x')).toBe(value);
    expect(decodeValue(value, undefined, 'x')).toBe(value);
  });

  it('Auto tries standard base64, then URL-safe, then keeps the value', () => {
    expect(Buffer.from(decodeValue(bytes('Zm9vJV8/YmFy'), 'Auto', 'x')).toString()).toBe('foo%_?bar');
    expect(Buffer.from(decodeValue(bytes('Zm9vJV8_YmFy'), 'Auto', 'x')).toString()).toBe('foo%_?bar');
    expect(Buffer.from(decodeValue(bytes('foo'), 'Auto', 'x')).toString()).toBe('foo');
    expect(Buffer.from(decodeValue(bytes('not base64!'), 'Auto', 'x')).toString()).toBe('not base64!');
    // As in ESO, a plain value that happens to be valid base64 is decoded.
    expect(hex(decodeValue(bytes('test'), 'Auto', 'x'))).toBe('b5eb2d');
  });

  it('reports DecodingFailed with the context and strategy, never the value', () => {
    try {
      decodeValue(bytes('s3cr3t-value!'), 'Base64', 'spec.data[2] (secret "db/creds")');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(OperatorError);
      expect((error as OperatorError).code).toBe('DecodingFailed');
      expect((error as OperatorError).retryable).toBe(true);
      expect((error as Error).message).toContain('spec.data[2] (secret "db/creds")');
      expect((error as Error).message).toContain('Base64');
      expect((error as Error).message).not.toContain('s3cr3t');
    }
  });

  it('refuses a strategy ESO does not know as InvalidSpec', () => {
    expect(() => decodeValue(bytes('x'), 'Hex' as never, 'x')).toThrow(expect.objectContaining({ code: 'InvalidSpec' }));
  });

  it('decodes whatever Go encodes, with line breaks anywhere', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.array(fc.nat(100)), (data, breaks) => {
        for (const [strategy, encoding] of [['Base64', 'base64'], ['Base64URL', 'base64url']] as const) {
          let text = Buffer.from(data).toString(encoding);
          // Node's base64url omits the padding Go's URLEncoding writes.
          if (encoding === 'base64url') text += '='.repeat((4 - (text.length % 4)) % 4);
          for (const at of breaks) {
            const i = at % (text.length + 1);
            text = `${text.slice(0, i)}\r\n${text.slice(i)}`;
          }
          expect(hex(decodeValue(bytes(text), strategy, 'x'))).toBe(hex(data));
        }
      }),
    );
  });
});

describe('decodeMap', () => {
  it('decodes every value and names the key that fails', () => {
    const out = decodeMap({ a: bytes('YQ=='), b: bytes('YWI=') }, 'Base64', 'spec.dataFrom[0]');
    expect(Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Buffer.from(v).toString()]))).toEqual({ a: 'a', b: 'ab' });
    expect(() => decodeMap({ good: bytes('YQ=='), bad: bytes('?') }, 'Base64', 'spec.dataFrom[0]')).toThrow(
      /spec\.dataFrom\[0\] key "bad": decodingStrategy Base64/,
    );
  });

  it('keeps a __proto__ key as data', () => {
    const map: Record<string, Uint8Array> = Object.create(null);
    map['__proto__'] = bytes('YQ==');
    const out = decodeMap(map, 'Base64', 'x');
    expect(Object.keys(out)).toEqual(['__proto__']);
    expect(Buffer.from(out['__proto__']!).toString()).toBe('a');
  });
});

describe('decodeValue: size', () => {
  const MiB = 1 << 20;
  const base64 = (n: number, lineEvery = 0): Uint8Array => {
    let text = Buffer.alloc(n, 7).toString('base64');
    if (lineEvery > 0) text = text.replace(new RegExp(`(.{${lineEvery}})`, 'g'), '$1\n');
    return bytes(text);
  };

  it.each(['Base64', 'Auto'] as const)('%s: refuses a value that decodes to more than a Secret holds, from its length, before decoding', (strategy) => {
    let error: unknown;
    try {
      decodeValue(base64(MiB + 3), strategy, 'spec.data[0]');
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({
      code: 'SecretTooLarge',
      message: 'spec.data[0]: the decoded value would be more than 1048576 bytes (1024 KiB), the most Kubernetes accepts in a Secret',
    });
  });

  it('decodes a value of exactly 1 MiB, newlines not counted', () => {
    expect(decodeValue(base64(MiB, 76), 'Base64', 'x')).toHaveLength(MiB);
    expect(decodeValue(base64(MiB - 1), 'Base64URL', 'x')).toHaveLength(MiB - 1);
  });

  it('leaves a large value alone without a decoding strategy', () => {
    expect(decodeValue(base64(2 * MiB), 'None', 'x')).toHaveLength(Math.ceil((2 * MiB) / 3) * 4);
  });
});
