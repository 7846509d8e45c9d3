/**
 * Splits template source into tokens the way Go's text/template lexer does:
 * text, then actions between {{ and }}, with `{{- ` and ` -}}` trimming the
 * spaces around them, and comments that open with {{/* and close with the
 * reverse. Tokens are made on demand, so the parser reports the first problem
 * in source order, as Go does.
 */

export type TokenKind =
  | 'text' | 'leftDelim' | 'rightDelim' | 'space' | 'eof' | 'error'
  | 'bool' | 'char' | 'charConstant' | 'number' | 'string' | 'rawString'
  | 'field' | 'identifier' | 'variable' | 'dot' | 'assign' | 'declare' | 'pipe'
  | 'leftParen' | 'rightParen'
  | Keyword;

export type Keyword = 'block' | 'break' | 'continue' | 'define' | 'else' | 'end' | 'if' | 'nil' | 'range' | 'template' | 'with';

const keywords = new Set<string>(['block', 'break', 'continue', 'define', 'else', 'end', 'if', 'nil', 'range', 'template', 'with']);

export interface Token {
  kind: TokenKind;
  /** Offset of the token in the source (UTF-16 units). */
  pos: number;
  /** Source text of the token; for an error, its message. */
  value: string;
}

const LEFT = '{{';
const RIGHT = '}}';
const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const alnum = /^[\p{L}\p{Nd}_]$/u;
const isAlphaNumeric = (c: string | undefined): boolean => c !== undefined && alnum.test(c);
const hasLeftTrim = (s: string, i: number): boolean => s[i] === '-' && isSpace(s[i + 1]);
const hasRightTrim = (s: string, i: number): boolean => isSpace(s[i]) && s[i + 1] === '-';
/** Go's %#U: U+0023 '#'. */
const describeRune = (cp: number): string => `U+${cp.toString(16).toUpperCase().padStart(4, '0')} '${String.fromCodePoint(cp)}'`;
function trimRightLength(s: string): number {
  let i = s.length;
  while (i > 0 && isSpace(s[i - 1])) i--;
  return s.length - i;
}

export class Lexer {
  readonly #src: string;
  #pos = 0;
  #insideAction = false;
  #parenDepth = 0;
  /** Where the current action's {{ starts, for errors about the whole action. */
  #actionStart = 0;
  /** A delimiter lexed together with the text before it. */
  readonly #pending: Token[] = [];

  constructor(src: string) {
    this.#src = src;
  }

  next(): Token {
    const pending = this.#pending.shift();
    if (pending) return pending;
    return this.#insideAction ? this.#lexInsideAction() : this.#lexText();
  }

  #error(pos: number, message: string): Token {
    // Like Go, stop at the first lexical error: everything after is EOF.
    this.#pos = this.#src.length;
    this.#insideAction = false;
    return { kind: 'error', pos, value: message };
  }

  #lexText(): Token {
    const s = this.#src;
    for (;;) {
      const start = this.#pos;
      if (start >= s.length) return { kind: 'eof', pos: s.length, value: '' };
      const x = s.indexOf(LEFT, start);
      if (x === -1) {
        this.#pos = s.length;
        return { kind: 'text', pos: start, value: s.slice(start) };
      }
      let text = s.slice(start, x);
      if (hasLeftTrim(s, x + LEFT.length)) text = text.slice(0, text.length - trimRightLength(text));
      const delim = this.#lexLeftDelim(x);
      const textToken: Token = { kind: 'text', pos: start, value: text };
      // A comment makes no token: go on with the text after it.
      if (delim === undefined) {
        if (text.length > 0) return textToken;
        continue;
      }
      if (text.length === 0) return delim;
      this.#pending.push(delim);
      return textToken;
    }
  }

  /** The {{ at x; a comment is skipped and gives undefined. */
  #lexLeftDelim(x: number): Token | undefined {
    const s = this.#src;
    let i = x + LEFT.length;
    const trim = hasLeftTrim(s, i);
    if (trim) i += 2;
    if (s.startsWith('/*', i)) {
      const close = s.indexOf('*/', i + 2);
      if (close === -1) return this.#error(x, 'unclosed comment');
      let j = close + 2;
      const trimAfter = hasRightTrim(s, j) && s.startsWith(RIGHT, j + 2);
      if (trimAfter) j += 2;
      else if (!s.startsWith(RIGHT, j)) return this.#error(x, 'comment ends before closing delimiter');
      j += RIGHT.length;
      if (trimAfter) while (isSpace(s[j])) j++;
      this.#pos = j;
      return undefined;
    }
    this.#pos = i;
    this.#insideAction = true;
    this.#parenDepth = 0;
    this.#actionStart = x;
    return { kind: 'leftDelim', pos: x, value: LEFT };
  }

  /** At a }} (possibly with a trim marker before it) at position i? */
  #atRightDelim(i: number): { trim: boolean } | undefined {
    const s = this.#src;
    if (hasRightTrim(s, i) && s.startsWith(RIGHT, i + 2)) return { trim: true };
    if (s.startsWith(RIGHT, i)) return { trim: false };
    return undefined;
  }

  #lexRightDelim(): Token {
    const s = this.#src;
    const delim = this.#atRightDelim(this.#pos)!;
    if (delim.trim) this.#pos += 2;
    const tok: Token = { kind: 'rightDelim', pos: this.#pos, value: RIGHT };
    this.#pos += RIGHT.length;
    if (delim.trim) while (isSpace(s[this.#pos])) this.#pos++;
    this.#insideAction = false;
    return tok;
  }

  #emit(kind: TokenKind, start: number): Token {
    return { kind, pos: start, value: this.#src.slice(start, this.#pos) };
  }

  #lexInsideAction(): Token {
    const s = this.#src;
    if (this.#atRightDelim(this.#pos)) {
      if (this.#parenDepth === 0) return this.#lexRightDelim();
      return this.#error(this.#actionStart, 'unclosed left paren');
    }
    const start = this.#pos;
    const c = s[start];
    if (c === undefined) return this.#error(this.#actionStart, 'unclosed action');
    if (isSpace(c)) return this.#lexSpace();
    this.#pos++;
    switch (c) {
      case '=': return this.#emit('assign', start);
      case ':':
        if (s[this.#pos] !== '=') return this.#error(start, 'expected :=');
        this.#pos++;
        return this.#emit('declare', start);
      case '|': return this.#emit('pipe', start);
      case '"': return this.#lexQuote(start);
      case '`': {
        const close = s.indexOf('`', this.#pos);
        if (close === -1) return this.#error(start, 'unterminated raw quoted string');
        this.#pos = close + 1;
        return this.#emit('rawString', start);
      }
      case '$': return this.#lexFieldOrVariable('variable', start);
      case "'": return this.#lexChar(start);
      case '(':
        this.#parenDepth++;
        return this.#emit('leftParen', start);
      case ')':
        if (--this.#parenDepth < 0) return this.#error(start, 'unexpected right paren');
        return this.#emit('rightParen', start);
    }
    if (c === '.' && !(s[this.#pos]! >= '0' && s[this.#pos]! <= '9')) return this.#lexFieldOrVariable('field', start);
    if (c === '.' || c === '+' || c === '-' || (c >= '0' && c <= '9')) {
      this.#pos = start;
      return this.#lexNumber(start);
    }
    const cp = s.codePointAt(start)!;
    const ch = String.fromCodePoint(cp);
    if (isAlphaNumeric(ch)) {
      this.#pos = start;
      return this.#lexIdentifier(start);
    }
    if (cp < 0x7f && cp >= 0x20) return this.#emit('char', start);
    return this.#error(start, `unrecognized character in action: ${describeRune(cp)}`);
  }

  #lexSpace(): Token {
    const s = this.#src;
    const start = this.#pos;
    while (isSpace(s[this.#pos])) this.#pos++;
    // The last space may belong to a trim-marked delimiter " -}}".
    if (this.#atRightDelim(this.#pos - 1)?.trim) {
      this.#pos--;
      if (this.#pos === start) return this.#lexInsideAction();
    }
    return this.#emit('space', start);
  }

  /** Identifiers must end at a space, punctuation that may follow them, or the delimiter. */
  #atTerminator(): boolean {
    const c = this.#src[this.#pos];
    if (c === undefined || isSpace(c) || '.,|:()'.includes(c)) return true;
    return this.#src.startsWith(RIGHT, this.#pos);
  }

  #badCharacter(): Token {
    return this.#error(this.#pos, `bad character ${describeRune(this.#src.codePointAt(this.#pos)!)}`);
  }

  #scanAlnum(): void {
    const s = this.#src;
    for (;;) {
      const cp = s.codePointAt(this.#pos);
      if (cp === undefined) return;
      const ch = String.fromCodePoint(cp);
      if (!isAlphaNumeric(ch)) return;
      this.#pos += ch.length;
    }
  }

  #lexIdentifier(start: number): Token {
    this.#scanAlnum();
    if (!this.#atTerminator()) return this.#badCharacter();
    const word = this.#src.slice(start, this.#pos);
    if (keywords.has(word)) return this.#emit(word as Keyword, start);
    if (word === 'true' || word === 'false') return this.#emit('bool', start);
    return this.#emit('identifier', start);
  }

  /** `.name` or `$name`; a lone `.` is dot and a lone `$` the root variable. */
  #lexFieldOrVariable(kind: 'field' | 'variable', start: number): Token {
    if (this.#atTerminator()) return this.#emit(kind === 'field' ? 'dot' : 'variable', start);
    this.#scanAlnum();
    if (!this.#atTerminator()) return this.#badCharacter();
    return this.#emit(kind, start);
  }

  #lexQuote(start: number): Token {
    return this.#lexQuoted(start, '"', 'string', 'unterminated quoted string');
  }

  #lexChar(start: number): Token {
    return this.#lexQuoted(start, "'", 'charConstant', 'unterminated character constant');
  }

  /** A "..." string or '.' character constant: backslash escapes, no newline, closed on the line. */
  #lexQuoted(start: number, quote: string, kind: 'string' | 'charConstant', unterminated: string): Token {
    const s = this.#src;
    for (;;) {
      const c = s[this.#pos++];
      if (c === '\\') {
        const e = s[this.#pos++];
        if (e !== undefined && e !== '\n') continue;
      }
      if (c === undefined || c === '\n' || c === '\\') return this.#error(start, unterminated);
      if (c === quote) return this.#emit(kind, start);
    }
  }

  /** Scans what could be a number; the parser checks it really is one. */
  #scanNumber(): boolean {
    const s = this.#src;
    const accept = (chars: string): boolean => {
      const c = s[this.#pos];
      if (c !== undefined && chars.includes(c)) {
        this.#pos++;
        return true;
      }
      return false;
    };
    const acceptRun = (chars: string): void => {
      while (accept(chars));
    };
    accept('+-');
    let digits = '0123456789_';
    if (accept('0')) {
      if (accept('xX')) digits = '0123456789abcdefABCDEF_';
      else if (accept('oO')) digits = '01234567_';
      else if (accept('bB')) digits = '01_';
    }
    acceptRun(digits);
    if (accept('.')) acceptRun(digits);
    if (digits.length === 11 && accept('eE')) {
      accept('+-');
      acceptRun('0123456789_');
    }
    if (digits.length === 23 && accept('pP')) {
      accept('+-');
      acceptRun('0123456789_');
    }
    accept('i');
    const cp = s.codePointAt(this.#pos);
    if (cp !== undefined && isAlphaNumeric(String.fromCodePoint(cp))) {
      this.#pos += String.fromCodePoint(cp).length;
      return false;
    }
    return true;
  }

  #lexNumber(start: number): Token {
    const bad = (): Token => this.#error(start, `bad number syntax: ${JSON.stringify(this.#src.slice(start, this.#pos))}`);
    if (!this.#scanNumber()) return bad();
    const sign = this.#src[this.#pos];
    if (sign === '+' || sign === '-') {
      // Go reads 1+2i as a complex constant; we support no complex numbers.
      if (!this.#scanNumber() || this.#src[this.#pos - 1] !== 'i') return bad();
      return this.#error(start, `complex number ${JSON.stringify(this.#src.slice(start, this.#pos))} is not supported`);
    }
    return this.#emit('number', start);
  }
}
