/**
 * The YAML text go-yaml v2 (go.yaml.in/yaml/v2 v2.4.x, a port of libyaml's emitter) writes
 * for a tree of maps, lists and scalars, as yaml.Marshal does: block style, indent 2, lines
 * folded past column 80, the scalar style chosen from what the text holds. Hand-written
 * because ESO's toYaml output must match byte for byte and the `yaml` package quotes and
 * folds differently; it follows the emitter's rules (names in comments are libyaml's),
 * including its quirks: a character outside the BMP is escaped, and a string that starts
 * with U+FEFF has every character escaped.
 */

export type Style = 'plain' | 'double' | 'literal';

export type YamlNode =
  | { kind: 'scalar'; text: string; style: Style }
  | { kind: 'seq'; items: readonly YamlNode[] }
  | { kind: 'map'; entries: readonly (readonly [YamlNode & { kind: 'scalar' }, YamlNode])[] };

const BEST_INDENT = 2;
const BEST_WIDTH = 80;
/** A key longer than this (in UTF-8 bytes) is written as a complex key (`? key`). */
const SIMPLE_KEY_BYTES = 128;

const isBreak = (c: number | undefined): boolean => c === 0x0d || c === 0x0a || c === 0x85 || c === 0x2028 || c === 0x2029;
const isSpace = (c: number | undefined): boolean => c === 0x20;
const isBlank = (c: number | undefined): boolean => c === 0x20 || c === 0x09;
/** is_printable: 4-byte UTF-8 (outside the BMP) is not, nor U+FEFF, nor tab and CR. */
const isPrintable = (c: number): boolean =>
  c === 0x0a || (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd && c !== 0xfeff);

interface Analysis {
  multiline: boolean;
  flowPlain: boolean;
  blockPlain: boolean;
  singleQuoted: boolean;
  block: boolean;
}

const codes = (chars: string): Set<number> => new Set(Array.from(chars, (c) => c.charCodeAt(0)));
/** Indicators that make a plain scalar impossible when the text starts with them. */
const FIRST_INDICATORS = codes('#,[]{}&*!|>\'"%@`');
/** Indicators that rule out a plain scalar inside flow collections. */
const FLOW_INDICATORS = codes(',?[]{}');

/** yaml_emitter_analyze_scalar: which styles can hold the text. */
function analyze(cps: readonly number[]): Analysis {
  if (cps.length === 0) return { multiline: false, flowPlain: false, blockPlain: true, singleQuoted: true, block: false };
  let blockIndicators = false;
  let flowIndicators = false;
  let lineBreaks = false;
  let special = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  const [a, b, c] = cps;
  if ((a === 0x2d && b === 0x2d && c === 0x2d) || (a === 0x2e && b === 0x2e && c === 0x2e)) {
    blockIndicators = true;
    flowIndicators = true;
  }
  let precededByWhitespace = true;
  for (let i = 0; i < cps.length; i++) {
    const ch = cps[i]!;
    const followedByWhitespace = i + 1 >= cps.length || isBlank(cps[i + 1]);
    if (i === 0) {
      if (FIRST_INDICATORS.has(ch)) {
        flowIndicators = true;
        blockIndicators = true;
      } else if (ch === 0x3f || ch === 0x3a) {
        flowIndicators = true;
        if (followedByWhitespace) blockIndicators = true;
      } else if (ch === 0x2d && followedByWhitespace) {
        flowIndicators = true;
        blockIndicators = true;
      }
    } else if (FLOW_INDICATORS.has(ch)) {
      flowIndicators = true;
    } else if (ch === 0x3a) {
      flowIndicators = true;
      if (followedByWhitespace) blockIndicators = true;
    } else if (ch === 0x23 && precededByWhitespace) {
      flowIndicators = true;
      blockIndicators = true;
    }
    if (!isPrintable(ch)) special = true;
    if (isSpace(ch)) {
      if (i === 0) leadingSpace = true;
      if (i === cps.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(ch)) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (i === cps.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = isBlank(ch) || isBreak(ch);
  }
  const r: Analysis = { multiline: lineBreaks, flowPlain: true, blockPlain: true, singleQuoted: true, block: true };
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) r.flowPlain = r.blockPlain = false;
  if (trailingSpace) r.block = false;
  if (breakSpace) r.flowPlain = r.blockPlain = r.singleQuoted = false;
  if (spaceBreak || special) r.flowPlain = r.blockPlain = r.singleQuoted = r.block = false;
  if (lineBreaks) r.flowPlain = r.blockPlain = false;
  if (flowIndicators) r.flowPlain = false;
  if (blockIndicators) r.blockPlain = false;
  return r;
}

const utf8Length = (s: string): number => Buffer.byteLength(s, 'utf8');

/** Where a node is written, as the emitter's *_context flags. */
interface Context {
  root: boolean;
  mapping: boolean;
  simpleKey: boolean;
}

/** Writes nodes; `out` receives the text in pieces (so a bounded builder can stop it). */
export class Emitter {
  readonly #out: (s: string) => void;
  #indent = -1;
  readonly #indents: number[] = [];
  #column = 0;
  #whitespace = true;
  #indention = true;
  #flowLevel = 0;

  constructor(out: (s: string) => void) {
    this.#out = out;
  }

  /** One document, as yaml.Marshal writes it (ending in a line break). */
  document(node: YamlNode): void {
    this.#node(node, { root: true, mapping: false, simpleKey: false });
    this.#writeIndent();
  }

  #put(s: string): void {
    this.#out(s);
    this.#column++;
  }

  #putBreak(): void {
    this.#out('\n');
    this.#column = 0;
  }

  /** write_break: \n as the line break, any other break character as itself. */
  #writeBreak(c: number): void {
    if (c === 0x0a) this.#putBreak();
    else {
      this.#out(String.fromCodePoint(c));
      this.#column = 0;
    }
  }

  #increaseIndent(flow: boolean, indentless: boolean): void {
    this.#indents.push(this.#indent);
    if (this.#indent < 0) this.#indent = flow ? BEST_INDENT : 0;
    else if (!indentless) this.#indent += BEST_INDENT;
  }

  #popIndent(): void {
    this.#indent = this.#indents.pop()!;
  }

  #writeIndent(): void {
    const indent = Math.max(this.#indent, 0);
    if (!this.#indention || this.#column > indent || (this.#column === indent && !this.#whitespace)) this.#putBreak();
    while (this.#column < indent) this.#put(' ');
    this.#whitespace = true;
    this.#indention = true;
  }

  #writeIndicator(indicator: string, needWhitespace: boolean, isWhitespace: boolean, isIndention: boolean): void {
    if (needWhitespace && !this.#whitespace) this.#put(' ');
    for (const ch of indicator) this.#put(ch);
    this.#whitespace = isWhitespace;
    this.#indention = this.#indention && isIndention;
  }

  #node(node: YamlNode, ctx: Context): void {
    if (node.kind === 'scalar') return this.#scalar(node.text, node.style, ctx);
    const empty = node.kind === 'seq' ? node.items.length === 0 : node.entries.length === 0;
    if (empty || this.#flowLevel > 0) {
      // Only empty collections are written in flow style: [] and {}.
      this.#writeIndicator(node.kind === 'seq' ? '[' : '{', true, true, false);
      this.#increaseIndent(true, false);
      this.#popIndent();
      this.#writeIndicator(node.kind === 'seq' ? ']' : '}', false, false, false);
      return;
    }
    if (node.kind === 'seq') {
      this.#increaseIndent(false, ctx.mapping && !this.#indention);
      for (const item of node.items) {
        this.#writeIndent();
        this.#writeIndicator('-', true, false, true);
        this.#node(item, { root: false, mapping: false, simpleKey: false });
      }
      this.#popIndent();
      return;
    }
    this.#increaseIndent(false, false);
    for (const [key, value] of node.entries) {
      this.#writeIndent();
      const keyCps = codePoints(key.text);
      if (!analyze(keyCps).multiline && utf8Length(key.text) <= SIMPLE_KEY_BYTES) {
        this.#node(key, { root: false, mapping: true, simpleKey: true });
        this.#writeIndicator(':', false, false, false);
      } else {
        this.#writeIndicator('?', true, false, true);
        this.#node(key, { root: false, mapping: true, simpleKey: false });
        this.#writeIndent();
        this.#writeIndicator(':', true, false, true);
      }
      this.#node(value, { root: false, mapping: true, simpleKey: false });
    }
    this.#popIndent();
  }

  /** yaml_emitter_select_scalar_style, then the writer of that style. */
  #scalar(text: string, requested: Style, ctx: Context): void {
    const cps = codePoints(text);
    const a = analyze(cps);
    let style: Style | 'single' = requested;
    if (ctx.simpleKey && a.multiline) style = 'double';
    if (style === 'plain') {
      if ((this.#flowLevel > 0 && !a.flowPlain) || (this.#flowLevel === 0 && !a.blockPlain)) style = 'single';
      if (cps.length === 0 && (this.#flowLevel > 0 || ctx.simpleKey)) style = 'single';
    }
    if (style === 'single' && !a.singleQuoted) style = 'double';
    if (style === 'literal' && (!a.block || this.#flowLevel > 0 || ctx.simpleKey)) style = 'double';
    this.#increaseIndent(true, false);
    const allowBreaks = !ctx.simpleKey;
    switch (style) {
      case 'plain': this.#plain(cps, allowBreaks); break;
      case 'single': this.#single(cps, allowBreaks); break;
      case 'double': this.#double(cps, allowBreaks); break;
      case 'literal': this.#literal(cps); break;
    }
    this.#popIndent();
  }

  #plain(cps: readonly number[], allowBreaks: boolean): void {
    if (!this.#whitespace) this.#put(' ');
    let spaces = false;
    let breaks = false;
    for (let i = 0; i < cps.length; i++) {
      const c = cps[i]!;
      if (isSpace(c)) {
        if (allowBreaks && !spaces && this.#column > BEST_WIDTH && !isSpace(cps[i + 1])) this.#writeIndent();
        else this.#put(' ');
        spaces = true;
      } else if (isBreak(c)) {
        if (!breaks && c === 0x0a) this.#putBreak();
        this.#writeBreak(c);
        this.#indention = true;
        breaks = true;
      } else {
        if (breaks) this.#writeIndent();
        i = this.#run(cps, i) - 1;
        this.#indention = false;
        spaces = false;
        breaks = false;
      }
    }
    this.#whitespace = false;
    this.#indention = false;
  }

  /**
   * Writes the characters from i up to the next space, break or quote as one piece (each
   * one column, as write() counts them); returns where it stopped.
   */
  #run(cps: readonly number[], i: number): number {
    let j = i;
    while (j < cps.length && !isSpace(cps[j]) && !isBreak(cps[j]) && cps[j] !== 0x27) j++;
    if (j === i) j++;
    for (let k = i; k < j; k += 4096) this.#out(String.fromCodePoint(...cps.slice(k, Math.min(j, k + 4096))));
    this.#column += j - i;
    return j;
  }

  #single(cps: readonly number[], allowBreaks: boolean): void {
    this.#writeIndicator("'", true, false, false);
    let spaces = false;
    let breaks = false;
    for (let i = 0; i < cps.length; i++) {
      const c = cps[i]!;
      if (isSpace(c)) {
        if (allowBreaks && !spaces && this.#column > BEST_WIDTH && i > 0 && i < cps.length - 1 && !isSpace(cps[i + 1])) this.#writeIndent();
        else this.#put(' ');
        spaces = true;
      } else if (isBreak(c)) {
        if (!breaks && c === 0x0a) this.#putBreak();
        this.#writeBreak(c);
        this.#indention = true;
        breaks = true;
      } else {
        if (breaks) this.#writeIndent();
        if (c === 0x27) this.#put("'");
        this.#put(String.fromCodePoint(c));
        this.#indention = false;
        spaces = false;
        breaks = false;
      }
    }
    this.#writeIndicator("'", false, false, false);
    this.#whitespace = false;
    this.#indention = false;
  }

  #double(cps: readonly number[], allowBreaks: boolean): void {
    this.#writeIndicator('"', true, false, false);
    // libyaml's is_bom looks at the start of the string, not at the character.
    const startsWithBom = cps[0] === 0xfeff;
    let spaces = false;
    for (let i = 0; i < cps.length; i++) {
      const c = cps[i]!;
      if (!isPrintable(c) || startsWithBom || isBreak(c) || c === 0x22 || c === 0x5c) {
        this.#put('\\');
        const named = ESCAPES.get(c);
        if (named !== undefined) this.#put(named);
        else {
          const [letter, digits] = c <= 0xff ? ['x', 2] : c <= 0xffff ? ['u', 4] : ['U', 8];
          this.#put(letter);
          for (const d of c.toString(16).toUpperCase().padStart(digits, '0')) this.#put(d);
        }
        spaces = false;
      } else if (isSpace(c)) {
        if (allowBreaks && !spaces && this.#column > BEST_WIDTH && i > 0 && i < cps.length - 1) {
          this.#writeIndent();
          if (isSpace(cps[i + 1])) this.#put('\\');
        } else {
          this.#put(' ');
        }
        spaces = true;
      } else {
        this.#put(String.fromCodePoint(c));
        spaces = false;
      }
    }
    this.#writeIndicator('"', false, false, false);
    this.#whitespace = false;
    this.#indention = false;
  }

  #literal(cps: readonly number[]): void {
    this.#writeIndicator('|', true, false, false);
    // yaml_emitter_write_block_scalar_hints: an indentation indicator when the text starts
    // with a space or break, and the chomping indicator from its last one or two characters.
    if (isSpace(cps[0]) || isBreak(cps[0])) this.#writeIndicator(String(BEST_INDENT), false, false, false);
    const n = cps.length;
    let chomp = '';
    if (n === 0 || !isBreak(cps[n - 1])) chomp = '-';
    else if (n === 1 || isBreak(cps[n - 2])) chomp = '+';
    if (chomp) this.#writeIndicator(chomp, false, false, false);
    this.#putBreak();
    this.#indention = true;
    this.#whitespace = true;
    let breaks = true;
    for (let i = 0; i < cps.length; i++) {
      const c = cps[i]!;
      if (isBreak(c)) {
        this.#writeBreak(c);
        this.#indention = true;
        breaks = true;
      } else {
        if (breaks) this.#writeIndent();
        i = this.#run(cps, i) - 1;
        this.#indention = false;
        breaks = false;
      }
    }
  }
}

const ESCAPES = new Map<number, string>([
  [0x00, '0'], [0x07, 'a'], [0x08, 'b'], [0x09, 't'], [0x0a, 'n'], [0x0b, 'v'], [0x0c, 'f'], [0x0d, 'r'], [0x1b, 'e'],
  [0x22, '"'], [0x5c, '\\'], [0x85, 'N'], [0xa0, '_'], [0x2028, 'L'], [0x2029, 'P'],
]);

const codePoints = (s: string): number[] => Array.from(s, (ch) => ch.codePointAt(0)!);
