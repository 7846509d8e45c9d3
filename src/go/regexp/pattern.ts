/**
 * What re2js needs to read a pattern as Go 1.26's regexp.Compile does, found in one scan of the
 * pattern text (re2js does the real parsing; this only tokenizes):
 *   - `\p{name}` is looked up as Go 1.25+ does (case-insensitive, `_`, `-` and spaces ignored, and
 *     aliases such as `\p{Letter}`), which leaves scripts with multi-word names unreachable, as in
 *     Go; re2js takes the exact table names of older Go, so names are rewritten to those;
 *   - Go accepts two groups of the same name (`$name` then means the first that matched); re2js
 *     refuses them, so a repeated name is dropped from what re2js reads and kept in `names`;
 *   - the size of the program, estimated as Go's parser does (calcSize), so that a pattern is
 *     refused before re2js spends seconds and hundreds of MiB building millions of instructions.
 */
import { GoRegexpSyntaxError } from './errors.ts';

export interface ReadPattern {
  /** The pattern as re2js should read it. */
  readonly source: string;
  /** Capture group names by index; index 0 is the whole match, unnamed groups are ''. */
  readonly names: readonly string[];
  /** Go's estimate of the instructions the pattern compiles to. */
  readonly size: number;
}

/** One group being scanned: its finished alternatives and the current one (sizes as Go's calcSize). */
interface Group {
  readonly capture: boolean;
  alternatives: number;
  count: number;
  current: number;
  /** Size of the last item of the current alternative, which a repetition applies to (-1: none). */
  last: number;
}

const group = (capture: boolean): Group => ({ capture, alternatives: 0, count: 1, current: 0, last: -1 });
/** An alternation's size: its alternatives (an empty one is one instruction), and one per `|`. */
const closed = (g: Group): number => g.alternatives + Math.max(1, g.current) + g.count - 1;

/** A `{n}`, `{n,}` or `{n,m}` Go reads as a repetition (a count with a leading zero makes it a literal). */
const REPEAT = /\{(0|[1-9][0-9]*)(?:(,)(0|[1-9][0-9]*)?)?\}/y;
/**
 * Ours: groups that do not capture nested deeper than this are refused (Go has no bound; re2js
 * takes seconds to parse 100,000 of them). Capturing groups are bounded by Go's own (1000).
 */
const MAX_GROUP_DEPTH = 1000;

/** `(?flags)` (for the rest of the group) or `(?flags:` (a group that does not capture). */
const FLAGS = /\(\?[imsU-]*([:)])/y;
const NAMED = /\(\?P?<([A-Za-z0-9_]+)>/y;

/** A sticky regexp's match at i. */
function at(re: RegExp, s: string, i: number): RegExpExecArray | null {
  re.lastIndex = i;
  return re.exec(s);
}

export function readPattern(pattern: string): ReadPattern {
  const names = [''];
  const named = new Set<string>();
  const pieces: string[] = [];
  let copied = 0;
  const replace = (from: number, to: number, text: string): void => {
    pieces.push(pattern.slice(copied, from), text);
    copied = to;
  };
  const stack = [group(false)];
  let top = stack[0]!;
  let plainDepth = 0;
  const item = (size: number): void => {
    top.current += size;
    top.last = size;
  };
  const repeat = (size: (sub: number) => number): void => {
    if (top.last < 0) return; // re2js reports the missing argument
    const repeated = Math.max(1, size(top.last));
    top.current += repeated - top.last;
    top.last = repeated;
  };

  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === '\\' && pattern[i + 1] === 'Q') {
      // \Q...\E: literal text, each character an item.
      const end = pattern.indexOf('\\E', i + 2);
      const text = pattern.slice(i + 2, end < 0 ? undefined : end);
      i = end < 0 ? pattern.length : end + 2;
      for (let chars = [...text].length; chars > 0; chars--) item(1);
    } else if (c === '\\') {
      i = escape(pattern, i, replace);
      item(1);
    } else if (c === '[') {
      i = bracketClass(pattern, i, replace);
      item(1);
    } else if (c === '(') {
      const flags = at(FLAGS, pattern, i);
      const name = at(NAMED, pattern, i);
      if (flags?.[1] === ')') {
        i += flags[0].length; // flags for the rest of the group: no group of its own
        continue;
      }
      if (name) {
        if (named.has(name[1]!)) replace(i, i + name[0].length, '(');
        named.add(name[1]!);
        names.push(name[1]!);
        i += name[0].length;
      } else if (flags) {
        i += flags[0].length;
      } else {
        // A plain capture; or a malformed `(?`, which re2js refuses.
        if (!pattern.startsWith('(?', i)) names.push('');
        i++;
      }
      stack.push((top = group(!flags || name !== null)));
      if (!top.capture && ++plainDepth > MAX_GROUP_DEPTH) throw new GoRegexpSyntaxError('groups nest too deeply for this operator', true);
    } else if (c === ')') {
      i++;
      if (stack.length === 1) continue; // re2js reports the unexpected `)`
      const inner = stack.pop()!;
      top = stack.at(-1)!;
      if (!inner.capture) plainDepth--;
      item(closed(inner) + (inner.capture ? 2 : 0));
    } else if (c === '|') {
      i++;
      top.alternatives += Math.max(1, top.current);
      top.count++;
      top.current = 0;
      top.last = -1;
    } else if (c === '*' || c === '+' || c === '?') {
      i += pattern[i + 1] === '?' ? 2 : 1;
      repeat((sub) => (c === '*' ? 2 : 1) + sub);
    } else if (c === '{' && at(REPEAT, pattern, i)) {
      const [counts, lo, comma, hi] = at(REPEAT, pattern, i)!;
      i += counts.length + (pattern[i + counts.length] === '?' ? 1 : 0);
      // Counts past Go's 1000 are refused by re2js; they are capped here only to keep the estimate finite.
      const min = Math.min(Number(lo), 1000);
      const max = comma === undefined ? min : hi === undefined ? -1 : Math.min(Number(hi), 1000);
      repeat((sub) => (max === -1 ? (min === 0 ? 2 + sub : 1 + min * sub) : max * sub + Math.max(0, max - min)));
    } else {
      // A literal character, `.`, `^` or `$`.
      i += pattern.codePointAt(i)! > 0xffff ? 2 : 1;
      item(1);
    }
  }
  pieces.push(pattern.slice(copied));
  // Groups left open (re2js reports them) are closed only to finish the estimate.
  while (stack.length > 1) {
    const inner = stack.pop()!;
    top = stack.at(-1)!;
    item(closed(inner) + 2);
  }
  return { source: pieces.join(''), names, size: closed(top) };
}

type Replace = (from: number, to: number, text: string) => void;

/** An escape at i (outside or inside a class); returns the index after it. `\p` names are rewritten. */
function escape(pattern: string, i: number, replace: Replace): number {
  const kind = pattern[i + 1];
  if (kind === 'p' || kind === 'P') return unicodeClass(pattern, i, replace);
  if (kind === 'x' && pattern[i + 2] === '{') {
    const close = pattern.indexOf('}', i);
    return close < 0 ? pattern.length : close + 1;
  }
  return Math.min(pattern.length, i + 1 + (pattern.codePointAt(i + 1)! > 0xffff ? 2 : 1));
}

/** `[...]` at i as Go reads it: `]` first is a literal, `[:name:]` and escapes inside. */
function bracketClass(pattern: string, i: number, replace: Replace): number {
  let j = i + 1;
  if (pattern[j] === '^') j++;
  if (pattern[j] === ']') j++;
  while (j < pattern.length && pattern[j] !== ']') {
    const posix = pattern.startsWith('[:', j) ? pattern.indexOf(':]', j + 2) : -1;
    if (posix >= 0) j = posix + 2;
    else if (pattern[j] === '\\') j = escape(pattern, j, replace);
    else j++;
  }
  return j + 1;
}

/** `\pN`, `\p{name}`, `\P{name}`, `\p{^name}` at i, rewritten to the name re2js knows. */
function unicodeClass(pattern: string, i: number, replace: Replace): number {
  let end: number;
  let name: string;
  if (pattern[i + 2] === '{') {
    const close = pattern.indexOf('}', i);
    if (close < 0) return pattern.length; // re2js reports it
    name = pattern.slice(i + 3, close);
    end = close + 1;
  } else {
    if (i + 2 >= pattern.length) return pattern.length; // re2js reports it
    name = String.fromCodePoint(pattern.codePointAt(i + 2)!);
    end = i + 2 + name.length;
  }
  const negated = name.startsWith('^');
  const known = goUnicodeClass(negated ? name.slice(1) : name);
  if (known === undefined) {
    const detail = { code: 'invalid character class range', offset: Buffer.byteLength(pattern.slice(0, i)) };
    throw new GoRegexpSyntaxError(`${detail.code}: \`${pattern.slice(i, end)}\``, false, detail);
  }
  replace(i, end, `\\${pattern[i + 1]}{${negated ? '^' : ''}${known}}`);
  return end;
}

// ---------------------------------------------------------------------------------------------
// `\p{name}` as Go 1.26 resolves it.

const GENERAL_CATEGORIES = [
  'C', 'Cc', 'Cf', 'Cn', 'Co', 'Cs', 'L', 'Ll', 'Lm', 'Lo', 'Lt', 'Lu', 'M', 'Mc', 'Me', 'Mn', 'N', 'Nd', 'Nl',
  'No', 'P', 'Pc', 'Pd', 'Pe', 'Pf', 'Pi', 'Po', 'Ps', 'S', 'Sc', 'Sk', 'Sm', 'So', 'Z', 'Zl', 'Zp', 'Zs',
];

/** unicode.CategoryAliases, by the category they name. */
const CATEGORY_ALIASES: Record<string, string> = {
  Cased_Letter: 'LC', Close_Punctuation: 'Pe', Combining_Mark: 'M', Connector_Punctuation: 'Pc', Control: 'Cc',
  Currency_Symbol: 'Sc', Dash_Punctuation: 'Pd', Decimal_Number: 'Nd', Enclosing_Mark: 'Me',
  Final_Punctuation: 'Pf', Format: 'Cf', Initial_Punctuation: 'Pi', Letter: 'L', Letter_Number: 'Nl',
  Line_Separator: 'Zl', Lowercase_Letter: 'Ll', Mark: 'M', Math_Symbol: 'Sm', Modifier_Letter: 'Lm',
  Modifier_Symbol: 'Sk', Nonspacing_Mark: 'Mn', Number: 'N', Open_Punctuation: 'Ps', Other: 'C',
  Other_Letter: 'Lo', Other_Number: 'No', Other_Punctuation: 'Po', Other_Symbol: 'So',
  Paragraph_Separator: 'Zp', Private_Use: 'Co', Punctuation: 'P', Separator: 'Z', Space_Separator: 'Zs',
  Spacing_Mark: 'Mc', Surrogate: 'Cs', Symbol: 'S', Titlecase_Letter: 'Lt', Unassigned: 'Cn',
  Uppercase_Letter: 'Lu', cntrl: 'Cc', digit: 'Nd', punct: 'P',
};

/**
 * The scripts Go 1.26 (Unicode 15.0) can find: its lookup key is the name with a capital first
 * letter and the rest lower case, so only single-word names are reachable. re2js knows more
 * (Unicode 17), which Go refuses.
 */
const SCRIPTS = `Adlam Ahom Arabic Armenian Avestan Balinese Bamum Batak Bengali Bhaiksuki Bopomofo Brahmi Braille
  Buginese Buhid Carian Chakma Cham Cherokee Chorasmian Common Coptic Cuneiform Cypriot Cyrillic Deseret
  Devanagari Dogra Duployan Elbasan Elymaic Ethiopic Georgian Glagolitic Gothic Grantha Greek Gujarati Gurmukhi
  Han Hangul Hanunoo Hatran Hebrew Hiragana Inherited Javanese Kaithi Kannada Katakana Kawi Kharoshthi Khmer
  Khojki Khudawadi Lao Latin Lepcha Limbu Lisu Lycian Lydian Mahajani Makasar Malayalam Mandaic Manichaean
  Marchen Medefaidrin Miao Modi Mongolian Mro Multani Myanmar Nabataean Nandinagari Newa Nko Nushu Ogham Oriya
  Osage Osmanya Palmyrene Phoenician Rejang Runic Samaritan Saurashtra Sharada Shavian Siddham Sinhala Sogdian
  Soyombo Sundanese Syriac Tagalog Tagbanwa Takri Tamil Tangsa Tangut Telugu Thaana Thai Tibetan Tifinagh
  Tirhuta Toto Ugaritic Vai Vithkuqi Wancho Yezidi Yi`.split(/\s+/);

/** Go's canonicalName: `_`, `-` and spaces dropped, first letter upper case, the rest lower case. */
function canonicalName(name: string): string {
  const bare = name.replace(/[-_ ]/g, '');
  return bare.slice(0, 1).replace(/[a-z]/, (c) => c.toUpperCase()) + bare.slice(1).replace(/[A-Z]/g, (c) => c.toLowerCase());
}

let unicodeClasses: Map<string, string> | undefined;

/** The re2js name of Go's `\p{name}`, or undefined where Go reports an invalid class. */
function goUnicodeClass(name: string): string | undefined {
  if (unicodeClasses === undefined) {
    unicodeClasses = new Map(['Any', 'Ascii', 'Assigned', 'Lc', ...GENERAL_CATEGORIES, ...SCRIPTS].map((n) => [n, n]));
    for (const [alias, category] of Object.entries(CATEGORY_ALIASES)) {
      const key = canonicalName(alias);
      if (!unicodeClasses.has(key)) unicodeClasses.set(key, category);
    }
  }
  return unicodeClasses.get(canonicalName(name));
}
