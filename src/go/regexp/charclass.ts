/**
 * Character sets of Go's regexp syntax, as `v`-mode JavaScript class text: Go's ASCII Perl and POSIX
 * classes, and `\p{name}` resolved as Go 1.26 resolves it. ./parse.ts assembles the text, and
 * charClass turns it into a CharSet tested one code point at a time.
 */

/** Matches one code point. */
export type CharSet = (codePoint: number) => boolean;

export const MAX_RUNE = 0x10ffff;

export const anyChar: CharSet = () => true;
export const anyCharNotNL: CharSet = (c) => c !== 0x0a;

/** A `v`-mode class (with `i` under `(?i)`), tested on one code point at a time, with a cache. */
export function charClass(source: string, fold: boolean): CharSet {
  const re = new RegExp(source, fold ? 'iv' : 'v');
  const seen = new Map<number, boolean>();
  return (c) => {
    let hit = seen.get(c);
    if (hit === undefined) {
      hit = re.test(String.fromCodePoint(c));
      if (seen.size < 4096) seen.set(c, hit);
    }
    return hit;
  };
}

/** Every code point written as an escape, so nothing is special in a `v`-mode class. */
export function codePoint(c: number): string {
  return `\\u{${c.toString(16)}}`;
}

const ranges = (...pairs: [number, number][]): string =>
  pairs.map(([lo, hi]) => (lo === hi ? codePoint(lo) : `${codePoint(lo)}-${codePoint(hi)}`)).join('');

export const PERL_CLASSES: Record<string, string> = {
  '\\d': ranges([0x30, 0x39]),
  '\\s': ranges([0x09, 0x0a], [0x0c, 0x0d], [0x20, 0x20]),
  '\\w': ranges([0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]),
};

export const POSIX_CLASSES: Record<string, string> = {
  '[:alnum:]': ranges([0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]),
  '[:alpha:]': ranges([0x41, 0x5a], [0x61, 0x7a]),
  '[:ascii:]': ranges([0x00, 0x7f]),
  '[:blank:]': ranges([0x09, 0x09], [0x20, 0x20]),
  '[:cntrl:]': ranges([0x00, 0x1f], [0x7f, 0x7f]),
  '[:digit:]': ranges([0x30, 0x39]),
  '[:graph:]': ranges([0x21, 0x7e]),
  '[:lower:]': ranges([0x61, 0x7a]),
  '[:print:]': ranges([0x20, 0x7e]),
  '[:punct:]': ranges([0x21, 0x2f], [0x3a, 0x40], [0x5b, 0x60], [0x7b, 0x7e]),
  '[:space:]': ranges([0x09, 0x0d], [0x20, 0x20]),
  '[:upper:]': ranges([0x41, 0x5a]),
  '[:word:]': ranges([0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]),
  '[:xdigit:]': ranges([0x30, 0x39], [0x41, 0x46], [0x61, 0x66]),
};

// ---------------------------------------------------------------------------------------------
// Unicode classes, resolved as Go 1.26 resolves `\p{name}` (Unicode 15.0 tables there; the
// JavaScript engine's may be newer, which only matters for characters assigned since).

const GENERAL_CATEGORIES = [
  'C', 'Cc', 'Cf', 'Cn', 'Co', 'Cs', 'L', 'Ll', 'Lm', 'Lo', 'Lt', 'Lu', 'M', 'Mc', 'Me', 'Mn', 'N', 'Nd', 'Nl',
  'No', 'P', 'Pc', 'Pd', 'Pe', 'Pf', 'Pi', 'Po', 'Ps', 'S', 'Sc', 'Sk', 'Sm', 'So', 'Z', 'Zl', 'Zp', 'Zs',
];

/** unicode.CategoryAliases, by the name they resolve to. */
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
 * The scripts Go 1.26 can find: its lookup key is the name with a capital first letter and the rest
 * lower case, so only unicode.Scripts keys of that form (single words) are reachable.
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

let unicodeNames: Map<string, string> | undefined;

/** Go's canonicalName: `_`, `-` and spaces dropped, first letter upper case, the rest lower case. */
function canonicalName(name: string): string {
  const bare = name.replace(/[-_ ]/g, '');
  return bare.slice(0, 1).replace(/[a-z]/, (c) => c.toUpperCase()) + bare.slice(1).replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** The class fragment for a `\p{name}`, or undefined where Go reports an invalid class. */
export function unicodeProperty(name: string): string | undefined {
  if (unicodeNames === undefined) {
    const names = new Map<string, string>([
      ['Any', ranges([0, MAX_RUNE])],
      ['Assigned', '\\P{gc=Cn}'],
      ['Ascii', ranges([0, 0x7f])],
      ['Lc', '\\p{gc=LC}'],
    ]);
    for (const gc of GENERAL_CATEGORIES) names.set(gc, `\\p{gc=${gc}}`);
    for (const script of SCRIPTS) names.set(script, `\\p{sc=${script}}`);
    for (const [alias, gc] of Object.entries(CATEGORY_ALIASES)) {
      const key = canonicalName(alias);
      if (!names.has(key)) names.set(key, `\\p{gc=${gc}}`);
    }
    // A script the JavaScript engine does not know cannot be matched faithfully.
    for (const [key, fragment] of names) {
      try {
        new RegExp(`[${fragment}]`, 'v');
      } catch {
        names.delete(key);
      }
    }
    unicodeNames = names;
  }
  return unicodeNames.get(canonicalName(name));
}
