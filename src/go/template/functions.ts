/**
 * The one table of template functions: text/template's builtins, sprig's (but `semver`), ESO's
 * certificate and JWK helpers, rsaDecrypt and toYaml/fromYaml. Anything else is a parse error, as an
 * unknown function is in Go. Nothing here reads the environment or the network; the only files read are
 * the system's tzdata, for named time zones, as Go reads them (time/tzif.ts).
 */
import { builtins } from './builtins.ts';
import { builtinsJsCall } from './builtins-js-call.ts';
import { certFunctions } from './cert-functions.ts';
import type { FuncDef } from './func-def.ts';
import { sprig } from './sprig.ts';
import { sprigDicts } from './sprig-dicts.ts';
import { sprigLists } from './sprig-lists.ts';
import { sprigMisc } from './sprig-misc.ts';
import { sprigNumbers } from './sprig-numbers.ts';
import { sprigReflect } from './sprig-reflect.ts';
import { sprigRegex } from './sprig-regex.ts';
import { sprigSemver } from './sprig-semver.ts';
import { sprigStrings } from './sprig-strings.ts';
import { sprigUrl } from './sprig-url.ts';
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

const table = new Map<string, FuncDef>([...Object.entries(builtins), ...Object.entries(sprig), ...Object.entries(certFunctions), ...Object.entries(eso),
  ...Object.entries(sprigNumbers),
  ...Object.entries(sprigLists),
  ...Object.entries(sprigDicts),
  ...Object.entries(sprigReflect),
  ...Object.entries(sprigStrings),
  ...Object.entries(sprigRegex),
  ...Object.entries(builtinsJsCall),
  ...Object.entries(sprigMisc),
  ...Object.entries(sprigUrl),
  ...Object.entries(sprigSemver),
  ...Object.entries(sprigDates),
  ...Object.entries(sprigRandom),
  ...Object.entries(sprigCrypto),
  ...Object.entries(sprigBcrypt),
  ...Object.entries(sprigCertificates),
]);

export const lookupFunction = (name: string): FuncDef | undefined => table.get(name);

export const isFunction = (name: string): boolean => table.has(name);

/**
 * Go's parse error for a name no function has. ESO removes env, expandenv and getHostByName, and
 * removed getSecretKey (a cross-namespace Secret read, ESO #5690) before 2.0, so they are unknown here too.
 */
export const unknownFunctionMessage = (name: string): string => `function ${JSON.stringify(name)} not defined`;
