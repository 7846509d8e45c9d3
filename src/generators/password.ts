/**
 * ESO's Password generator (generators.external-secrets.io Password, or a ClusterGenerator's
 * passwordSpec). ESO generates with github.com/sethvargo/go-password; its rules are written out
 * here because no npm library has them: the defaults (24 characters, a quarter of them digits and
 * a quarter symbols, ESO's own symbol set), the checks and their messages, the draw (letters, then
 * digits, then symbols, each uniform over its set's bytes, a character drawn again while it is
 * already in the password unless allowRepeat), and the output (keys, encoding). Every character
 * goes to a uniformly random place, which go-password does by inserting each at a random
 * position and we do by shuffling once: the same distribution, in linear time.
 *
 * Two differences, on purpose. go-password draws a symbol again and again while it is already in
 * the password: when symbolCharacters repeats characters, or shares them with the letters and
 * digits, that can never end, and ESO's worker hangs; here it is an error saying why. And
 * go-password inserts at a byte offset, so with a non-ASCII symbol it can split the character's
 * UTF-8 bytes; here each character stays whole (a symbol is still one byte of symbolCharacters
 * read as a character, as go-password reads it).
 */
import { randomFillSync } from 'node:crypto';
import type { PasswordSpec } from '../api/generated.ts';
import { OperatorError } from '../errors.ts';
import { base32 } from 'rfc4648';
import type { GeneratedData, GenerateFn, GeneratorUse } from './generator.ts';

export const DEFAULT_LENGTH = 24;
/** ESO's symbols (not go-password's own default). */
export const DEFAULT_SYMBOLS = '~!@#$%^&*()_+`-={}|[]\\:"<>?,./';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';

/**
 * Characters one generation may make, over all its keys: a Secret holds 1 MiB of data, so
 * nothing larger could be written. Checked before anything is drawn.
 */
export const MAX_PASSWORD_CHARS = 1 << 20;

/** A uniform integer in [0, max). */
export type RandomInt = (max: number) => number;

/** What a Password spec asks for, with ESO's defaults applied. */
export interface PasswordRules {
  length: number;
  digits: number;
  symbols: number;
  symbolCharacters: string;
  noUpper: boolean;
  allowRepeat: boolean;
  encoding: NonNullable<PasswordSpec['encoding']>;
  keys: string[];
}

/** ESO's defaults: length 0 or less is 24; digits and symbols a quarter of the length each, as Go's float32 arithmetic rounds it. */
export function passwordRules(spec: Partial<PasswordSpec>): PasswordRules {
  const length = spec.length !== undefined && spec.length > 0 ? spec.length : DEFAULT_LENGTH;
  const quarter = Math.trunc(Math.fround(Math.fround(length) * 0.25));
  const keys = spec.secretKeys?.length ? spec.secretKeys : ['password'];
  if (keys.includes('') || new Set(keys).size !== keys.length) throw invalid('secretKeys must be non-empty and unique');
  return {
    length,
    digits: spec.digits ?? quarter,
    symbols: spec.symbols ?? quarter,
    symbolCharacters: spec.symbolCharacters ?? DEFAULT_SYMBOLS,
    noUpper: spec.noUpper ?? false,
    allowRepeat: spec.allowRepeat ?? false,
    encoding: spec.encoding ?? 'raw',
    keys,
  };
}

/**
 * go-password's checks, in its order and with its messages; returns how many characters one
 * password has (more than length when digits or symbols are negative: go-password then draws
 * that many more letters, and so does this).
 */
export function checkPasswordRules(rules: PasswordRules): number {
  const letterCount = rules.length - rules.digits - rules.symbols;
  if (letterCount < 0) throw invalid('number of digits and symbols must be less than total length');
  if (!rules.allowRepeat) {
    if (letterCount > lettersOf(rules).length) throw invalid('number of letters exceeds available letters and repeats are not allowed');
    if (rules.digits > DIGITS.length) throw invalid('number of digits exceeds available digits and repeats are not allowed');
    if (rules.symbols > symbolsOf(rules).length) throw invalid('number of symbols exceeds available symbols and repeats are not allowed');
  }
  return letterCount + Math.max(rules.digits, 0) + Math.max(rules.symbols, 0);
}

/** One password, as go-password's Generate makes it (see the file comment for the two differences). */
export function generatePasswordString(rules: PasswordRules, random: RandomInt = secureRandomInt): string {
  const total = checkPasswordRules(rules);
  if (total > MAX_PASSWORD_CHARS) throw tooLarge(total);
  const letterCount = total - Math.max(rules.digits, 0) - Math.max(rules.symbols, 0);
  const drawn: string[] = [];
  const used = new Set<string>();
  const draw = (pool: Pool, count: number, what: string): void => {
    for (let i = 0; i < count; i++) {
      const c = rules.allowRepeat ? pool.any(random) : pool.anyBut(used, random);
      if (c === undefined) {
        throw invalid(`${what} cannot supply ${count} characters without repeats: symbolCharacters repeats characters or shares them with the letters or digits; set allowRepeat, or ask for fewer symbols`);
      }
      used.add(c);
      drawn.push(c);
    }
  };
  draw(new Pool(Buffer.from(lettersOf(rules), 'latin1')), letterCount, 'the letters');
  draw(new Pool(Buffer.from(DIGITS, 'latin1')), rules.digits, 'the digits');
  draw(new Pool(symbolsOf(rules)), rules.symbols, 'symbolCharacters');
  // Fisher-Yates: each order equally likely, as inserting each character at a random place gives.
  for (let i = drawn.length - 1; i > 0; i--) {
    const j = random(i + 1);
    [drawn[i], drawn[j]] = [drawn[j]!, drawn[i]!];
  }
  return drawn.join('');
}

/** The generator: one password per key (default "password"), each encoded as spec.encoding says. */
export function generatePassword(spec: Partial<PasswordSpec>, random: RandomInt = secureRandomInt): GeneratedData {
  const rules = passwordRules(spec);
  const all = rules.keys.length * checkPasswordRules(rules);
  if (all > MAX_PASSWORD_CHARS) throw tooLarge(all);
  const out: GeneratedData = Object.create(null);
  for (const key of rules.keys) out[key] = encode(Buffer.from(generatePasswordString(rules, random), 'utf8'), rules.encoding);
  return out;
}

export const passwordGenerator: GenerateFn<Partial<PasswordSpec>> = async (spec, use: GeneratorUse) => {
  try {
    return generatePassword(spec ?? {});
  } catch (err) {
    if (err instanceof OperatorError) throw new OperatorError(err.code, `${describe(use)}: ${err.message}`, { cause: err });
    throw err;
  }
};

function encode(bytes: Buffer, encoding: PasswordRules['encoding']): Uint8Array {
  switch (encoding) {
    case 'base64': return Buffer.from(bytes.toString('base64'), 'latin1');
    // Go's URLEncoding pads with '=', as Node's base64url does not.
    case 'base64url': return Buffer.from(bytes.toString('base64').replace(/\+/g, '-').replace(/\//g, '_'), 'latin1');
    // Go's StdEncoding: RFC 4648's alphabet, padded with '=' (rfc4648's default).
    case 'base32': return Buffer.from(base32.stringify(bytes), 'latin1');
    case 'hex': return Buffer.from(bytes.toString('hex'), 'latin1');
    default: return bytes;
  }
}

/**
 * The characters of one set, as go-password draws them: a byte of the set, uniformly, read as the
 * character of that code (Go's string(byte)). With no repeats, a byte whose character is already
 * in the password is drawn again: the same as drawing among the other bytes, which is what anyBut
 * does, weighting each character by how often the set holds it.
 */
class Pool {
  private readonly bytes: Uint8Array;
  private readonly counts = new Map<string, number>();

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    for (const b of bytes) {
      const c = String.fromCharCode(b);
      this.counts.set(c, (this.counts.get(c) ?? 0) + 1);
    }
  }

  any(random: RandomInt): string {
    return String.fromCharCode(this.bytes[random(this.bytes.length)]!);
  }

  anyBut(used: ReadonlySet<string>, random: RandomInt): string | undefined {
    let open = 0;
    for (const [c, n] of this.counts) if (!used.has(c)) open += n;
    if (open === 0) return undefined;
    let at = random(open);
    for (const [c, n] of this.counts) {
      if (used.has(c)) continue;
      if (at < n) return c;
      at -= n;
    }
    return undefined;
  }
}

/** crypto-random integers, drawn from a buffer refilled 4 KiB at a time (one password may need a million). */
const pool32 = new Uint32Array(1024);
let next32 = pool32.length;
export function secureRandomInt(max: number): number {
  if (!(max > 0 && max <= 2 ** 32)) throw new RangeError(`random range ${max}`);
  // Rejection keeps it uniform: values at or past the largest multiple of max are drawn again.
  const limit = 2 ** 32 - (2 ** 32 % max);
  for (;;) {
    if (next32 === pool32.length) {
      randomFillSync(pool32);
      next32 = 0;
    }
    const v = pool32[next32++]!;
    if (v < limit) return v % max;
  }
}

const lettersOf = (rules: PasswordRules): string => LOWER + (rules.noUpper ? '' : UPPER);
// go-password falls back to its own default on "", and ESO passes its symbols unless set: "" gets ESO's.
const symbolsOf = (rules: PasswordRules): Uint8Array => Buffer.from(rules.symbolCharacters || DEFAULT_SYMBOLS, 'utf8');
const describe = (use: GeneratorUse): string => (use.kind === 'ClusterGenerator' ? `ClusterGenerator "${use.name}" (Password)` : `Password "${use.name}"`);
const invalid = (message: string) => new OperatorError('InvalidGeneratorSpec', message);
const tooLarge = (chars: number) => new OperatorError('SecretTooLarge', `${chars} characters of passwords would be more than a Secret holds (at most ${MAX_PASSWORD_CHARS})`);
