/**
 * The one table of template functions: text/template's builtins, the sprig
 * subset we implement, ESO's certificate and JWK helpers and its toYaml/fromYaml. Anything else is a parse error, as an unknown function
 * is in Go. Nothing here reads the environment or the network; the only files read are
 * the system's tzdata, for named time zones, as Go reads them (time/tzif.ts).
 */
import { builtins } from './builtins.ts';
import { certFunctions } from './cert-functions.ts';
import type { FuncDef } from './func-def.ts';
import { sprig } from './sprig.ts';
import { sprigDates } from './sprig-dates.ts';
import { sprigRandom } from './sprig-random.ts';
import { sprigBcrypt } from './sprig-bcrypt.ts';
import { sprigCertificates } from './sprig-certificates.ts';
import { rsaDecryptFunction, sprigCrypto } from './sprig-crypto.ts';
import { fromYaml } from './yaml-decode.ts';
import { toYaml } from './yaml-encode.ts';

/** ESO's own helpers (runtime/template/v2/template.go) that we implement. */
const eso: Record<string, FuncDef> = {
  toYaml: { params: ['any'], call: ([v], ctx) => toYaml(ctx, v) },
  fromYaml: { params: ['string'], call: ([s], ctx) => fromYaml(s as string, ctx) },
  rsaDecrypt: rsaDecryptFunction,
};

const table = new Map<string, FuncDef>([...Object.entries(builtins), ...Object.entries(sprig), ...Object.entries(sprigDates), ...Object.entries(sprigRandom), ...Object.entries(sprigCrypto), ...Object.entries(sprigBcrypt), ...Object.entries(sprigCertificates), ...Object.entries(certFunctions), ...Object.entries(eso)]);

/**
 * Functions ESO's templates offer that we do not: ESO's own helpers, the rest
 * of sprig (dates, randomness, crypto, regexes, semver, ...), and Go's call and
 * js. Naming them in the error tells the user the manifest is valid for ESO.
 * ESO removes env, expandenv and getHostByName, and removed getSecretKey (a cross-namespace
 * Secret read, ESO #5690) before 2.0, so they are plain unknowns.
 */
const esoOnly = new Set([
  // text/template
  'call', 'js',
  // sprig
  'hello',
  'abbrev', 'abbrevboth', 'trunc', 'untitle', 'substr', 'nospace', 'initials',
  'swapcase', 'snakecase', 'camelcase', 'kebabcase', 'wrap', 'wrapWith', 'plural',
  'adler32sum', 'atoi', 'int64', 'int', 'float64', 'seq', 'toDecimal', 'splitn', 'toStrings', 'until', 'untilStep',
  'add1', 'add', 'sub', 'div', 'mod', 'mul', 'add1f', 'addf', 'subf', 'divf', 'mulf', 'biggest', 'max', 'min',
  'maxf', 'minf', 'ceil', 'floor', 'round', 'all', 'any', 'compact', 'mustCompact', 'mustFromJson', 'mustToJson',
  'mustToPrettyJson', 'mustToRawJson', 'deepCopy', 'mustDeepCopy', 'typeOf', 'typeIs', 'typeIsLike', 'kindOf', 'kindIs',
  'deepEqual', 'base', 'dir', 'clean', 'ext', 'isAbs', 'osBase', 'osClean', 'osDir', 'osExt', 'osIsAbs', 'b32enc',
  'b32dec', 'hexdec', 'set', 'unset', 'pluck', 'pick', 'omit', 'merge', 'mergeOverwrite', 'mustMerge',
  'mustMergeOverwrite', 'values', 'append', 'push', 'mustAppend', 'mustPush', 'prepend', 'mustPrepend', 'first',
  'mustFirst', 'rest', 'mustRest', 'last', 'mustLast', 'initial', 'mustInitial', 'reverse', 'mustReverse', 'uniq',
  'mustUniq', 'without', 'mustWithout', 'has', 'mustHas', 'mustSlice', 'concat', 'dig', 'chunk', 'mustChunk',
  'semver', 'semverCompare', 'fail', 'regexMatch', 'mustRegexMatch', 'regexFindAll', 'mustRegexFindAll', 'regexFind',
  'mustRegexFind', 'regexReplaceAll', 'mustRegexReplaceAll', 'regexReplaceAllLiteral', 'mustRegexReplaceAllLiteral',
  'regexSplit', 'mustRegexSplit', 'regexQuoteMeta', 'urlParse', 'urlJoin',
]);

export const lookupFunction = (name: string): FuncDef | undefined => table.get(name);

export const isFunction = (name: string): boolean => table.has(name);

export function unknownFunctionMessage(name: string): string {
  const base = `function ${JSON.stringify(name)} not defined`;
  return esoOnly.has(name) ? `${base} (ESO provides it; this operator does not support it)` : base;
}
