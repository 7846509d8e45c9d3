/**
 * Wildcard keys in gjson paths: tidwall/match MatchLimit(str, pattern, 10000) on UTF-8 runes. `*` is
 * any run, `?` any one rune, `\` makes the next rune literal. The work limit (which makes a too-costly
 * match fail rather than hang) is part of the behaviour, so it is kept.
 */
import { BSLASH, QMARK, STAR } from '../ascii.ts';
import { decodeLastRune, decodeRune } from '../utf8.ts';

const NO_MATCH = 0;
const MATCH = 1;
const STOPPED = 2;
type MatchResult = typeof NO_MATCH | typeof MATCH | typeof STOPPED;

export function wildcardMatch(str: Uint8Array, pattern: Uint8Array): boolean {
  if (pattern.length === 1 && pattern[0] === STAR) return true;
  const budget = { calls: 0, limit: str.length * 10000 };
  return matchFrom(str, pattern, budget) === MATCH;
}

function matchFrom(input: Uint8Array, pattern: Uint8Array, budget: { calls: number; limit: number }): MatchResult {
  if (budget.calls > budget.limit) return STOPPED;
  budget.calls++;
  let str = input;
  let pat = pattern;
  while (pat.length > 0) {
    let wild = false;
    let [pc, ps] = decodeRune(pat, 0);
    const [sc, ss]: [number, number] = str.length > 0 ? decodeRune(str, 0) : [0, 0];
    if (pc === QMARK) {
      if (ss === 0) return NO_MATCH;
    } else if (pc === STAR) {
      while (pat.length > 1 && pat[1] === STAR) pat = pat.subarray(1);
      if (pat.length === 1) return MATCH;
      const trimmed = trimLiteralSuffix(str, pat);
      if (trimmed === undefined) return NO_MATCH;
      [str, pat] = trimmed;
      if (pat.length === 1) return MATCH;
      const inner = matchFrom(str, pat.subarray(1), budget);
      if (inner !== NO_MATCH) return inner;
      if (str.length === 0) return NO_MATCH;
      wild = true;
    } else {
      if (ss === 0) return NO_MATCH;
      if (pc === BSLASH) {
        pat = pat.subarray(ps);
        if (pat.length === 0) return NO_MATCH;
        [pc, ps] = decodeRune(pat, 0);
      }
      if (sc !== pc) return NO_MATCH;
    }
    str = str.subarray(ss);
    if (!wild) pat = pat.subarray(ps);
  }
  return str.length === 0 ? MATCH : NO_MATCH;
}

/** After a `*`: match the pattern's literal tail against the end of str, and drop both. */
function trimLiteralSuffix(input: Uint8Array, pattern: Uint8Array): [Uint8Array, Uint8Array] | undefined {
  let str = input;
  let pat = pattern;
  while (str.length > 0 && pat.length > 1) {
    const [pc, width] = decodeLastRune(pat);
    let ps = width;
    let escaped = false;
    for (let k = 0; ; k++) {
      if (pat[pat.length - ps - k - 1] !== BSLASH) {
        if (k % 2 === 1) {
          escaped = true;
          ps++;
        }
        break;
      }
    }
    if (pc === STAR && !escaped) break;
    const [sc, ss] = decodeLastRune(str);
    if (!((pc === QMARK && !escaped) || pc === sc)) return undefined;
    str = str.subarray(0, str.length - ss);
    pat = pat.subarray(0, pat.length - ps);
  }
  return [str, pat];
}
