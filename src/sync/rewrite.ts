/**
 * `dataFrom[].rewrite` and what ESO does to a dataFrom entry's keys and values after the fetch
 * (pkg/controllers/externalsecret/externalsecret_controller_secret.go, handleExtractSecrets and
 * handleFindAllSecrets; runtime/esutils/utils.go RewriteMap, ValidateKeys):
 *   1. the rewrites, in order (RewriteMap);
 *   2. only if there are none, conversionStrategy (conversion.ts);
 *   3. the keys are validated (ValidateKeys): a key that became empty is dropped, which is how a
 *      rewrite with an empty target removes keys;
 *   4. the values are decoded with decodingStrategy (decoding.ts).
 * dataFromMap runs the four steps; rewriteKeys and validateSecretKeys are the pieces.
 *
 * Rewrites:
 *   - regexp{source, target}: Go's regexp.ReplaceAllString on each key (src/go/regexp/), so `$1`,
 *     `${1}`, `$name`, `${name}` and `$$` expand as in Go, and `$1x` names the group "1x";
 *   - transform{template}: a Go template rendered once per key with `.value` set to the key; the
 *     caller supplies the renderer;
 *   - merge: the values read as JSON objects and merged (rewrite-merge.ts).
 * Where ESO is not deterministic we refuse rather than pick: ESO iterates a Go map, so when two keys
 * rewrite to the same key with different values, which value survives changes from one reconcile to
 * the next. That is an InvalidSecretKey error here, except for the empty key, which step 3 drops.
 */
import type { ExternalSecretRewrite } from '../api/generated.ts';
import { OperatorError, type ReasonCode } from '../errors.ts';
import { type ConversionStrategy, convertKeys } from './conversion.ts';
import { type DecodingStrategy, decodeMap } from './decoding.ts';
import { GoRegexp, GoRegexpLimitError, GoRegexpSyntaxError, RegexpBudget } from '../go/regexp/regexp.ts';
import { MAX_SECRET_BYTES } from './secret-size.ts';
import { RenderBudget } from '../go/template/index.ts';
import { type MergeBudget, rewriteMerge } from './rewrite-merge.ts';

/**
 * Renders a transform template for one key (`.value` is the key); throws on a template error.
 * `budget` is shared by all the keys of one rewrite list, so many keys cannot multiply the
 * template bounds.
 */
export type TransformRenderer = (template: string, key: string, budget?: RenderBudget) => string;

/**
 * Bounds of rewrites, whatever the keys and patterns: the renamed keys of each rewrite add up to
 * at most as many characters as a Secret holds bytes (a target such as `$1$1$1...` multiplies
 * every key, and is stopped as it is expanded), and the regexp steps of all the rewrites of a
 * reconcile (one RewriteBudget) together. A search is charged a step per instruction and character
 * it may read (src/go/regexp/regexp.ts RegexpBudget), ~120-170 ns each where thousands of
 * threads stay alive, far less for most patterns. `^(.*)-(.*)$` over 5,000 keys of 45 characters
 * (about the most keys an AWS secret of 64 KiB holds) is charged 3.1 million, so 5 million is at
 * most ~0.6-0.9 s. A pattern that matches many times in one key is charged for each search from where
 * it starts: replacing every character of 5,000 keys of 45 is past the bound.
 */
export const MAX_REWRITE_KEY_CHARS = MAX_SECRET_BYTES;
export const MAX_REWRITE_STEPS = 5_000_000;

/**
 * What the rewrites of one reconcile spend together, over all its dataFrom entries: the transform
 * templates' RenderBudget and the regexp steps, so that many entries cannot multiply the bounds.
 */
export class RewriteBudget implements MergeBudget {
  readonly templates = new RenderBudget();
  steps = 0;
  mergeValues = 0;
}

const keysTooLong = (at: string): OperatorError =>
  new OperatorError('SecretTooLarge', `${at}: the rewritten keys add up to more than ${MAX_REWRITE_KEY_CHARS} characters, more than a Secret can hold`);

export interface DataFromOptions {
  readonly rewrite?: readonly ExternalSecretRewrite[] | undefined;
  readonly conversionStrategy?: ConversionStrategy | undefined;
  readonly decodingStrategy?: DecodingStrategy | undefined;
  readonly renderTransform: TransformRenderer;
  /** Names the entry in messages, e.g. `spec.dataFrom[2]`. */
  readonly context: string;
  /** Shared by the entries of one reconcile; a fresh one unless given. */
  readonly budget?: RewriteBudget;
}

/** What ESO makes of the map a dataFrom extract or find fetched: keys rewritten or converted, validated, values decoded. */
export function dataFromMap(map: Readonly<Record<string, Uint8Array>>, options: DataFromOptions): Record<string, Uint8Array> {
  const { rewrite = [], context } = options;
  const renamed =
    rewrite.length > 0
      ? rewriteKeys(map, rewrite, options.renderTransform, `${context}.rewrite`, options.budget)
      : convertKeys(map, options.conversionStrategy, context);
  return decodeMap(validateSecretKeys(renamed, context), options.decodingStrategy, context);
}

/**
 * Applies the rewrites in order, spending from `spent`. `context` names the rewrite list in messages. Throws OperatorError:
 * InvalidSpec for a source Go cannot compile; UnsupportedField for a source nested too
 * deeply or too large for us that Go would accept, and for matching that takes more than
 * MAX_REWRITE_STEPS; InvalidSecretKey for keys that collide with different values; SecretTooLarge
 * when the renamed keys of a rewrite would add up to more than MAX_REWRITE_KEY_CHARS; a merge's
 * own failures (rewrite-merge.ts).
 * A renderer's failure keeps its code (TemplateFailed if it has none).
 */
export function rewriteKeys(
  map: Readonly<Record<string, Uint8Array>>,
  rewrites: readonly ExternalSecretRewrite[],
  renderTransform: TransformRenderer,
  context = 'rewrite',
  spent = new RewriteBudget(),
): Record<string, Uint8Array> {
  let out: Record<string, Uint8Array> = Object.assign(Object.create(null), map);
  rewrites.forEach((rewrite, i) => {
    const at = `${context}[${i}]`;
    if (rewrite.merge) {
      out = rewriteMerge(out, rewrite.merge, `${at}.merge`, spent);
    } else if (rewrite.regexp) {
      const re = compileGoRegexp(rewrite.regexp.source, `${at}.regexp.source`);
      const target = rewrite.regexp.target;
      const budget = new RegexpBudget(MAX_REWRITE_STEPS - spent.steps, MAX_REWRITE_KEY_CHARS);
      try {
        out = renameKeys(out, (key) => re.replaceAll(key, target, budget), at);
      } catch (error) {
        if (!(error instanceof GoRegexpLimitError)) throw error;
        if (budget.bytes > budget.maxBytes) throw keysTooLong(`${at}.regexp`);
        throw new OperatorError('UnsupportedField', `${at}.regexp: matching the keys takes more than the ${MAX_REWRITE_STEPS} steps this operator allows`, { cause: error });
      }
      spent.steps += budget.steps;
    } else if (rewrite.transform) {
      const template = rewrite.transform.template;
      out = renameKeys(out, (key) => render(renderTransform, template, key, `${at}.transform`, spent.templates), at);
    }
  });
  return out;
}

/** Kubernetes' rule for Secret data keys (IsConfigMapKey). */
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;
const MAX_KEY_LENGTH = 253;

/**
 * ESO's ValidateKeys: drops keys that became empty; every other key must be a valid Secret data key
 * (letters, digits, `-`, `_`, `.`; at most 253 characters; not `.` or `..`). ESO itself lets non-ASCII
 * letters and `.`/`..` through and the API server then refuses the Secret; we refuse them here, with
 * the keys named. Throws OperatorError InvalidSecretKey.
 */
export function validateSecretKeys(map: Readonly<Record<string, Uint8Array>>, context = 'dataFrom'): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = Object.create(null);
  const bad: string[] = [];
  for (const [key, value] of Object.entries(map)) {
    if (key === '') continue;
    if (key.length > MAX_KEY_LENGTH || key === '.' || key === '..' || !SECRET_KEY.test(key)) bad.push(key);
    else out[key] = value;
  }
  if (bad.length > 0) {
    const shown = bad.slice(0, 5).map((key) => JSON.stringify(key.length > 64 ? `${key.slice(0, 64)}...` : key));
    const more = bad.length > shown.length ? ` and ${bad.length - shown.length} more` : '';
    throw new OperatorError(
      'InvalidSecretKey',
      `${context}: ${bad.length === 1 ? 'a key is' : `${bad.length} keys are`} not valid in a Secret ` +
        `(letters, digits, '-', '_' and '.' only, at most ${MAX_KEY_LENGTH} characters, not "." or ".."): ` +
        `${shown.join(', ')}${more}; add a rewrite (regexp or transform) that renames ${bad.length === 1 ? 'it' : 'them'}`,
    );
  }
  return out;
}

/** Renames every key; keys that meet must agree on the value, except the empty key (dropped later). */
function renameKeys(
  map: Readonly<Record<string, Uint8Array>>,
  rename: (key: string) => string,
  at: string,
): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = Object.create(null);
  const from = new Map<string, string>();
  let keyChars = 0;
  for (const [key, value] of Object.entries(map)) {
    const renamed = rename(key);
    keyChars += renamed.length;
    if (keyChars > MAX_REWRITE_KEY_CHARS) throw keysTooLong(at);
    const other = from.get(renamed);
    if (other !== undefined) {
      if (renamed === '' || Buffer.from(out[renamed]!).equals(value)) continue;
      throw new OperatorError(
        'InvalidSecretKey',
        `${at}: keys ${JSON.stringify(other)} and ${JSON.stringify(key)} both become ${JSON.stringify(renamed)} ` +
          'with different values (ESO would keep one of them at random); change the rewrite to keep them apart',
      );
    }
    from.set(renamed, key);
    out[renamed] = value;
  }
  return out;
}

function render(renderTransform: TransformRenderer, template: string, key: string, at: string, budget: RenderBudget): string {
  try {
    return renderTransform(template, key, budget);
  } catch (error) {
    const code = error instanceof OperatorError ? error.code : 'TemplateFailed';
    const message = error instanceof Error ? error.message : String(error);
    throw new OperatorError(code, `${at}: key ${JSON.stringify(key)}: ${message}`, { cause: error });
  }
}

/** Compiled sources, so a periodic refresh does not recompile the same patterns. */
const compiled = new Map<string, GoRegexp>();

/**
 * Compiles (and caches) a tenant's Go regexp. A source Go cannot compile is `invalid` (InvalidSpec
 * unless told: a store's field is InvalidProviderConfig), naming the field `at`; one we refuse to
 * run (too large, nested too deeply) is UnsupportedField.
 */
export function compileGoRegexp(source: string, at: string, invalid: ReasonCode = 'InvalidSpec'): GoRegexp {
  let re = compiled.get(source);
  if (re === undefined) {
    try {
      re = GoRegexp.compile(source);
    } catch (error) {
      if (!(error instanceof GoRegexpSyntaxError)) throw error;
      if (error.unsupported) throw new OperatorError('UnsupportedField', `${at}: ${error.message}`, { cause: error });
      throw new OperatorError(invalid, `${at}: error parsing regexp: ${error.message}`, { cause: error });
    }
    if (compiled.size >= 256) compiled.delete(compiled.keys().next().value!);
    compiled.set(source, re);
  }
  return re;
}
