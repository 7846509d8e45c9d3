/**
 * sprig's random functions: strings of random characters (goutils' CryptoRandom*), randInt
 * (math/rand), randBytes, shuffle (xstrings) and uuidv4, all from node:crypto's generator. As
 * in ESO, each render gives new values; the distributions are Go's (uniform over the same
 * characters). The length asked for is checked against the string bound, and charged,
 * before anything is generated.
 */
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { CallContext } from './budget.ts';
import { decodeRune, encodeRune, type GoString } from './bytes.ts';
import { FuncError } from './errors.ts';
import type { FuncDef } from './func-def.ts';

const DIGITS = '0123456789';
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
// goutils draws from ' ' to 'z' and keeps letters and digits; from 32 to 126 for randAscii.
const ASCII = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');

/** `count` characters drawn uniformly from `alphabet`; "" for a count of 0 or less, as goutils' error is dropped. */
function randomString(ctx: CallContext, alphabet: string, count: bigint): GoString {
  if (count <= 0n) return '';
  const b = ctx.builder();
  const n = Number(count);
  b.reserve(n);
  // Bytes below the largest multiple of the alphabet's size keep the draw uniform.
  const limit = 256 - (256 % alphabet.length);
  const out = Buffer.allocUnsafe(n);
  let filled = 0;
  while (filled < n) {
    for (const byte of randomBytes(Math.max(64, Math.ceil((n - filled) * 1.25)))) {
      if (byte >= limit) continue;
      out[filled++] = alphabet.charCodeAt(byte % alphabet.length);
      if (filled === n) break;
    }
  }
  b.push(out.toString('latin1'));
  return b.toString();
}

/** Go's int is 64 bits; crypto.randomInt takes ranges below 2^48, so wider ones are drawn from 64 random bits. */
function randomBelow(n: bigint): bigint {
  if (n < 1n << 48n) return BigInt(randomInt(Number(n)));
  const limit = (1n << 64n) - ((1n << 64n) % n);
  for (;;) {
    const x = randomBytes(8).readBigUInt64BE();
    if (x < limit) return x % n;
  }
}

/** sprig's randInt: rand.Intn(max-min)+min, which panics for an empty range. */
function randInt(min: bigint, max: bigint): bigint {
  const n = BigInt.asIntN(64, max - min);
  if (n <= 0n) throw new FuncError('invalid argument to Intn');
  return BigInt.asIntN(64, randomBelow(n) + min);
}

/** sprig's randBytes: count random bytes, base64-encoded; make() panics for a negative count. */
function randBytes(ctx: CallContext, count: bigint): GoString {
  if (count < 0n) throw new FuncError('runtime error: makeslice: len out of range');
  const b = ctx.builder();
  b.reserve(Math.ceil(Number(count) / 3) * 4);
  b.push(randomBytes(Number(count)).toString('base64'));
  return b.toString();
}

/** xstrings.Shuffle: the runes in a random order (Fisher-Yates); invalid UTF-8 becomes U+FFFD as []rune does. */
function shuffle(ctx: CallContext, s: GoString): GoString {
  const runes: string[] = [];
  for (let i = 0; i < s.length;) {
    const [r, size] = decodeRune(s, i);
    runes.push(encodeRune(r));
    i += size;
  }
  ctx.take(16 * runes.length);
  for (let i = runes.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [runes[i], runes[j]] = [runes[j]!, runes[i]!];
  }
  const b = ctx.builder();
  for (const r of runes) b.add(r);
  return b.toString();
}

const counted = (alphabet: string): FuncDef => ({ params: ['int'], call: ([n], ctx) => randomString(ctx, alphabet, n as bigint) });

export const sprigRandom: Record<string, FuncDef> = {
  randAlphaNum: counted(LETTERS + DIGITS),
  randAlpha: counted(LETTERS),
  randNumeric: counted(DIGITS),
  randAscii: counted(ASCII),
  randInt: { params: ['int', 'int'], call: ([min, max]) => randInt(min as bigint, max as bigint) },
  randBytes: { params: ['int'], call: ([n], ctx) => randBytes(ctx, n as bigint) },
  shuffle: { params: ['string'], call: ([s], ctx) => shuffle(ctx, s as GoString) },
  uuidv4: { params: [], call: () => randomUUID() },
};
