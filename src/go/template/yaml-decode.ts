/**
 * ESO's fromYaml (runtime/template/v2/yaml.go): sigs.k8s.io/yaml's Unmarshal into a
 * map[string]interface{}, which never fails the template: Go's error text goes under the
 * key "Error". That Unmarshal reads the first document with go-yaml v2 (YAML 1.1 scalars:
 * yes/no/on/off are booleans, 0777 is octal, timestamps stay strings; merge keys applied in
 * order, so a later `<<` overrides earlier keys), turns keys into strings and goes through
 * JSON, so every number becomes a float64. The `yaml` package parses the syntax; what the
 * scalars mean and how merges apply follow go-yaml (src/go/yaml/resolve.ts). Syntax errors
 * are reported in our words, not go-yaml's.
 */
import { Alias, Composer, CST, isAlias, isMap, isScalar, isSeq, Lexer, Parser, Scalar, type Document, type Node as YamlAstNode } from 'yaml';
import { formatFloat } from '../strconv.ts';
import { resolvePlain, type Resolved } from '../yaml/resolve.ts';
import type { CallContext } from './budget.ts';
import { toText, utf8, type GoString } from './bytes.ts';
import { LimitError } from './errors.ts';
import { limits } from './limits.ts';
import { quoted } from './quote.ts';
import { GoMap, GoSlice, type GoValue } from './values.ts';

/** Memory a list or map element costs, as for fromJson (json-decode.ts). */
const ELEMENT_BYTES = 16;
/**
 * Work charged per line or comma before parsing: the parser takes ~20-50 us and ~2 KiB an
 * entry (limits.ts, yamlEntries), so a budget's 8 MiB of work allows ~8,000 entries, ~0.2 s,
 * however many times a template calls fromYaml.
 */
const PARSE_BYTES_PER_ENTRY = 1024;

/**
 * Ours: how deep lists and maps may nest in the text. go-yaml
 * stops at 10,000 (its scanner's bound on flow and indentation levels), but the yaml package
 * parses recursively: with Node's default stack (~984 KiB) it overflows at ~1,250 levels when
 * nothing else is on the stack, and at 700-850 (as the JIT has warmed) when fromYaml is called
 * at the deepest template nesting limits.callNesting allows. 200 leaves a margin of 3.5. Past
 * it we say what Go says past its own bound, in the map's "Error". Aliases can nest the value
 * deeper than the text (`b: &b [*a]`, `c: &c [*b]`, ...) without deepening the recursion here:
 * an anchor is read before its aliases, and they reuse its value; limits.valueDepth bounds the rest.
 */
export const YAML_DEPTH = 200;
/**
 * Tokens a line or comma's PARSE_BYTES_PER_ENTRY pays for (`key: value` lines have ~7), and the
 * work charged for each token past them: many tokens on one line (`"a" "a" "a" ...` or `[x][x]...`,
 * each an error) cost ~3 us each to lex, parse and compose, so 300,000 took 1.3 s (6.5 s before
 * errors were made without stack traces); past the entries' share they are charged as such.
 */
const TOKENS_PER_ENTRY = 8;
const EXTRA_TOKEN_BYTES = 128;

/** A failure that Go reports in the map's "Error" entry. */
class Failure extends Error {}

/** Characters go-yaml's reader accepts: tab, LF, CR, printable ASCII, NEL and the rest but surrogates, U+FFFE and U+FFFF. */
const allowed = (c: number): boolean =>
  c === 0x09 || c === 0x0a || c === 0x0d || (c >= 0x20 && c <= 0x7e) || c === 0x85 || (c >= 0xa0 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || c >= 0x10000;

/** The first problem go-yaml's reader (readerc.go) finds in the bytes, in its words. */
function readerProblem(s: GoString): string | undefined {
  for (let i = 0; i < s.length; ) {
    const lead = s.charCodeAt(i);
    const width = lead < 0x80 ? 1 : (lead & 0xe0) === 0xc0 ? 2 : (lead & 0xf0) === 0xe0 ? 3 : (lead & 0xf8) === 0xf0 ? 4 : 0;
    if (width === 0) return 'invalid leading UTF-8 octet';
    if (i + width > s.length) return 'incomplete UTF-8 octet sequence';
    let c = width === 1 ? lead : lead & (0x7f >> width);
    for (let k = 1; k < width; k++) {
      const b = s.charCodeAt(i + k);
      if ((b & 0xc0) !== 0x80) return 'invalid trailing UTF-8 octet';
      c = (c << 6) | (b & 0x3f);
    }
    if (!(width === 1 || (width === 2 && c >= 0x80) || (width === 3 && c >= 0x800) || (width === 4 && c >= 0x10000))) return 'invalid length of a UTF-8 sequence';
    if ((c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff) return 'invalid Unicode character';
    if (!allowed(c)) return 'control characters are not allowed';
    i += width;
  }
  return undefined;
}

/** A decoded YAML value before the JSON round trip: keys may still be of any scalar type. */
type Decoded = null | boolean | bigint | number | string | Decoded[] | Map<Decoded, Decoded>;

class Decoder {
  readonly #doc: Document;
  readonly #ctx: CallContext;
  readonly #done = new Map<unknown, Decoded>();
  /** Collections being read: an alias to one of them is a value that contains itself. */
  readonly #inProgress = new Set<unknown>();

  constructor(doc: Document, ctx: CallContext) {
    this.#doc = doc;
    this.#ctx = ctx;
  }

  value(node: unknown): Decoded {
    if (node === null || node === undefined) return null;
    if (isAlias(node)) {
      const target = (node as Alias).resolve(this.#doc);
      if (!target) throw new Failure(`yaml: unknown anchor '${(node as Alias).source}' referenced`);
      if (this.#inProgress.has(target)) throw new Failure(`yaml: anchor '${(node as Alias).source}' value contains itself`);
      return this.value(target);
    }
    // An anchored node read again through an alias is the same value.
    const known = this.#done.get(node);
    if (known !== undefined) return known;
    let v: Decoded;
    if (isScalar(node)) v = this.#scalar(node);
    else {
      this.#inProgress.add(node);
      if (isSeq(node)) v = node.items.map((item) => this.#element(item));
      else if (isMap(node)) {
        const m = new Map<Decoded, Decoded>();
        for (const pair of node.items) {
          if (isScalar(pair.key) && pair.key.type === Scalar.PLAIN && !pair.key.tag && pair.key.source === '<<') this.#merge(m, pair.value);
          else m.set(this.#element(pair.key), this.#element(pair.value));
        }
        v = m;
      } else throw new Failure('yaml: unsupported node');
      this.#inProgress.delete(node);
    }
    this.#done.set(node, v);
    return v;
  }

  #element(node: unknown): Decoded {
    const v = this.value(node);
    this.#ctx.take(ELEMENT_BYTES + (typeof v === 'string' ? v.length : 0));
    return v;
  }

  /** go-yaml's merge: a map's entries set in order; a list of maps applied from the last. */
  #merge(into: Map<Decoded, Decoded>, node: unknown): void {
    const target = isAlias(node) ? (node as Alias).resolve(this.#doc) : node;
    if (isMap(target)) {
      for (const [k, v] of this.value(target) as Map<Decoded, Decoded>) into.set(k, v);
      return;
    }
    if (isSeq(target)) {
      for (const item of [...target.items].reverse()) {
        const m = isAlias(item) ? (item as Alias).resolve(this.#doc) : item;
        if (!isMap(m)) throw new Failure('yaml: map merge requires map or sequence of maps as the value');
        for (const [k, v] of this.value(m) as Map<Decoded, Decoded>) into.set(k, v);
      }
      return;
    }
    throw new Failure('yaml: map merge requires map or sequence of maps as the value');
  }

  #scalar(node: Scalar): Decoded {
    const text = String(node.source ?? node.value ?? '');
    const tag = node.tag;
    // The bytes, as json.Marshal then writes them: each invalid UTF-8 byte as U+FFFD.
    if (tag === 'tag:yaml.org,2002:binary') return toText(Buffer.from(text.replace(/\s/g, ''), 'base64').toString('latin1'));
    if (tag === 'tag:yaml.org,2002:str') return text;
    // Quoted and block scalars are strings; so is a scalar with a tag Go does not resolve.
    if (node.type !== Scalar.PLAIN && !tag) return text;
    const r = resolvePlain(text);
    if (tag && tag.startsWith('tag:yaml.org,2002:')) return this.#tagged(tag.slice('tag:yaml.org,2002:'.length), text, r);
    if (tag) return text;
    return r.tag === 'timestamp' || r.tag === 'merge' ? text : (r.value as Decoded);
  }

  /** An explicit !!int, !!float, !!bool, !!null or !!timestamp: the text must resolve to it (an int may be a float). */
  #tagged(want: string, text: string, r: Resolved): Decoded {
    if (r.tag === want) return r.tag === 'timestamp' ? text : (r.value as Decoded);
    if (want === 'float' && r.tag === 'int') return Number(r.value);
    throw new Failure(`yaml: cannot decode !!${r.tag} \`${text}\` as a !!${want}`);
  }
}

/** A key as sigs.k8s.io/yaml turns it into a JSON object key. */
function keyString(k: Decoded, v: Decoded): string {
  if (typeof k === 'string') return k;
  if (typeof k === 'bigint') return k.toString();
  if (typeof k === 'boolean') return String(k);
  if (typeof k === 'number') {
    if (Number.isNaN(k)) return '.nan';
    if (!Number.isFinite(k)) return k > 0 ? '.inf' : '-.inf';
    // strconv.FormatFloat(k, 'g', -1, 32): the shortest digits that read back as the same float32.
    const f = Math.fround(k);
    for (let p = 1; p < 10; p++) {
      const shorter = Number(f.toPrecision(p));
      if (Math.fround(shorter) === f) return formatFloat(shorter, 'g', -1);
    }
    return formatFloat(f, 'g', -1);
  }
  const value = typeof v === 'string' ? quoted(utf8(v)) : v === null ? '<nil>' : String(v);
  throw new Failure(`unsupported map key of type: ${k === null ? '%!s(<nil>)' : 'composite'}, key: ${k === null ? '<nil>' : '...'}, value: ${value}`);
}

/**
 * The JSON round trip: numbers become float64; NaN and infinities cannot be JSON. A list
 * or map an alias repeats is converted once and shared, so nested aliases (a "billion
 * laughs") cost their size only when measured, where the value bounds stop them.
 */
function toGo(v: Decoded, done = new Map<Decoded, GoValue>()): GoValue {
  if (v === null || typeof v === 'boolean') return v;
  if (typeof v === 'string') return utf8(v);
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Failure(`json: unsupported value: ${Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf'}`);
    return v;
  }
  const known = done.get(v);
  if (known !== undefined) return known;
  let out: GoValue;
  if (Array.isArray(v)) out = new GoSlice('any', v.map((item) => toGo(item, done)));
  else {
    const m = new Map<GoString, GoValue>();
    for (const [k, value] of v) m.set(utf8(keyString(k, value)), toGo(value, done));
    out = new GoMap('any', m);
  }
  done.set(v, out);
  return out;
}

const tooDeep = `yaml: exceeded max depth of ${YAML_DEPTH}`;

/**
 * The text's tokens, read before the yaml package parses them (recursively, and at ~16 us a
 * level): those past the entries' share charged, and refused (undefined) once the nesting they
 * open may pass YAML_DEPTH. The nesting is bounded from above as go-yaml's scanner counts it:
 * flow levels (`[`, `{`), plus twice the block levels of a line (a block sequence may sit at
 * its parent key's column, so two levels per column): its indentation's level (one per deeper
 * indentation still open, as go-yaml's indent stack) and its block indicators (`- `, `? `, `: `).
 */
function lexBounded(text: string, entries: number, ctx: CallContext): string[] | undefined {
  const tokens: string[] = [];
  const paid = entries * TOKENS_PER_ENTRY;
  /** Indentations of the lines above that are still open, shallowest first. */
  const indents: number[] = [];
  let flow = 0;
  let indent = 0;
  let indicators = 0;
  let atLineStart = true;
  let scalarNext = false;
  for (const token of new Lexer().lex(text)) {
    if (tokens.push(token) > paid) ctx.take(EXTRA_TOKEN_BYTES);
    // The lexer sends a scalar's text as the token after its marker: it opens nothing.
    if (scalarNext) {
      scalarNext = false;
      continue;
    }
    const type = CST.tokenType(token);
    if (type === 'newline') {
      [atLineStart, indent, indicators] = [true, 0, 0];
      continue;
    }
    if (type === 'space' || type === 'comment') {
      if (atLineStart) indent += token.length;
      continue;
    }
    if (atLineStart && flow === 0) {
      // The first node of a line closes the deeper indentations and opens its own.
      while (indents.length > 0 && indents.at(-1)! > indent) indents.pop();
      if (indents.length === 0 || indents.at(-1)! < indent) indents.push(indent);
    }
    atLineStart = false;
    if (type === 'scalar') scalarNext = true;
    else if (type === 'seq-item-ind' || type === 'explicit-key-ind' || type === 'map-value-ind') {
      if (flow === 0) indicators++;
    } else if (type === 'flow-map-start' || type === 'flow-seq-start') flow++;
    else if (type === 'flow-map-end' || type === 'flow-seq-end') flow = Math.max(0, flow - 1);
    if (flow + 2 * (indents.length + indicators) > YAML_DEPTH) return undefined;
  }
  return tokens;
}

/**
 * The first document of the CST. The composer makes an Error for each problem, and capturing a
 * stack trace for each was most of its time on a text of many errors: we read the first message only.
 */
function composeFirst(cst: CST.Token[]): Document.Parsed | undefined {
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    const [doc] = new Composer({ version: '1.1', schema: 'failsafe', uniqueKeys: false, merge: false }).compose(cst);
    return doc;
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

const jsonKind = (v: Decoded): string =>
  Array.isArray(v) ? 'array' : typeof v === 'string' ? 'string' : typeof v === 'boolean' ? 'bool' : 'number';

/** fromYaml: the map, or an empty map with Go's error under "Error". Bounds (limits.ts) still fail the template. */
export function fromYaml(s: GoString, ctx: CallContext): GoMap {
  const text = toText(s);
  let entries = 1;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 0x0a || text.charCodeAt(i) === 0x2c) entries++;
  if (entries > limits.yamlEntries) throw new LimitError(`the YAML has more than ${limits.yamlEntries} lines and commas, the most this operator reads`);
  ctx.take(s.length + entries * PARSE_BYTES_PER_ENTRY);
  const failed = (message: string): GoMap => new GoMap('any', new Map([['Error', utf8(message)]]));
  const problem = readerProblem(s);
  if (problem) return failed(`error converting YAML to JSON: yaml: ${problem}`);
  const tokens = lexBounded(text, entries, ctx);
  if (tokens === undefined) return failed(`error converting YAML to JSON: ${tooDeep}`);
  // What parseAllDocuments does, from the tokens already read.
  const parser = new Parser();
  const cst = [...tokens.flatMap((token) => [...parser.next(token)]), ...parser.end()];
  const doc = composeFirst(cst);
  if (!doc || !('contents' in doc)) return new GoMap('any', new Map());
  const error = doc.errors[0];
  if (error) return failed(`error converting YAML to JSON: yaml: line ${error.linePos?.[0].line ?? 1}: ${error.message.split('\n')[0]}`);
  let decoded: Decoded;
  let value: GoValue;
  try {
    decoded = new Decoder(doc as Document, ctx).value(doc.contents as YamlAstNode | null);
    value = toGo(decoded);
  } catch (e) {
    if (e instanceof Failure) return failed(`error converting YAML to JSON: ${e.message}`);
    throw e;
  }
  if (value === null) return new GoMap('any', new Map());
  if (!(value instanceof GoMap)) {
    return failed(`error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${jsonKind(decoded)} into Go value of type map[string]interface {}`);
  }
  return value;
}
