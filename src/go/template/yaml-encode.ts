/**
 * ESO's toYaml (runtime/template/v2/yaml.go): sigs.k8s.io/yaml's Marshal, with one trailing
 * line break trimmed, and "" if Go fails. That Marshal is json.Marshal, the JSON read back
 * by go-yaml v2 and written by its emitter, and the round trip shows: invalid UTF-8 becomes
 * U+FFFD, numbers take the type their JSON text reads as (1e6 prints as 1000000), a raw
 * U+0085 in a string folds like a line break in a quoted scalar, and a character go-yaml's
 * reader refuses (DEL, C1 controls, U+FFFE, U+FFFF) makes the whole result "". Hand-written
 * to match Go byte for byte; the emitter is src/go/yaml/emitter.ts.
 */
import { formatJsonFloat } from '../json/encode.ts';
import { formatFloat } from '../strconv.ts';
import { Emitter, type YamlNode } from '../yaml/emitter.ts';
import { sortKeys } from '../yaml/key-order.ts';
import { isBase60Float, resolvePlain } from '../yaml/resolve.ts';
import type { CallContext } from './budget.ts';
import { toText, utf8, type GoString } from './bytes.ts';
import { FuncError } from './errors.ts';
import { timeJson } from './json-encode.ts';
import { GoMap, GoSlice, GoTime, SemverVersion, SprigCertificate, type Evaluated } from './values.ts';

/** Go fails to marshal the value: toYaml gives "". */
class MarshalFailure extends FuncError {}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** Characters go-yaml's reader refuses that json.Marshal leaves unescaped. */
const REFUSED = /[\u007f-\u0084\u0086-\u009f\ufffe\uffff]/;

/** A string as go-yaml reads it back from json.Marshal's output. */
function roundTrip(s: GoString): string {
  const text = toText(s);
  if (REFUSED.test(text)) throw new MarshalFailure('yaml: control characters are not allowed');
  // In a double-quoted scalar a raw NEL is a line break: spaces before it go, one break is
  // a space, each further one a newline, and spaces after them go.
  return text.replace(/ *\u0085[ \u0085]*/g, (run) => {
    const breaks = run.split('\u0085').length - 1;
    return breaks === 1 ? ' ' : '\n'.repeat(breaks - 1);
  });
}

/** A float64 as JSON writes it and go-yaml reads it back: an int if it looks like one. */
function numberText(f: number): string {
  if (!Number.isFinite(f)) throw new MarshalFailure(`json: unsupported value: ${formatFloat(f, 'g', -1)}`);
  const json = formatJsonFloat(f);
  if (/^-?[0-9]+$/.test(json)) {
    const n = BigInt(json);
    if (n >= INT64_MIN && n <= INT64_MAX) return n.toString();
    if (n >= 0n && n <= UINT64_MAX) return json;
  }
  return formatFloat(Number(json), 'g', -1);
}

function stringNode(s: string): YamlNode & { kind: 'scalar' } {
  if (s.includes('\n')) return { kind: 'scalar', text: s, style: 'literal' };
  const plain = resolvePlain(s).tag === 'str' && !isBase60Float(s);
  return { kind: 'scalar', text: s, style: plain ? 'plain' : 'double' };
}

/** sigs.k8s.io/yaml marshals through JSON: a time is its MarshalJSON string, or the Marshal fails. */
function timeNode(t: GoTime): YamlNode {
  try {
    return stringNode(timeJson(t));
  } catch {
    throw new MarshalFailure('Time.MarshalJSON: year outside of range [0,9999]');
  }
}

function toNode(v: Evaluated): YamlNode {
  if (v === undefined || v === null) return { kind: 'scalar', text: 'null', style: 'plain' };
  switch (typeof v) {
    case 'string': return stringNode(roundTrip(v));
    case 'bigint': return { kind: 'scalar', text: v.toString(), style: 'plain' };
    case 'number': return { kind: 'scalar', text: numberText(v), style: 'plain' };
    case 'boolean': return { kind: 'scalar', text: String(v), style: 'plain' };
  }
  if (v instanceof GoSlice) return { kind: 'seq', items: v.items.map(toNode) };
  if (v instanceof GoTime) return timeNode(v);
  // sigs.k8s.io/yaml goes through encoding/json: Version.MarshalJSON's string.
  if (v instanceof SemverVersion) return toNode(v.string());
  if (v instanceof SprigCertificate) return toNode(new GoMap('string', new Map([['Cert', v.cert], ['Key', v.key]])));
  // JSON keys in byte order; two that read back alike keep the later value, as go-yaml does.
  const entries = new Map<string, YamlNode>();
  for (const k of (v as GoMap).sortedKeys()) entries.set(roundTrip(k), toNode((v as GoMap).entries.get(k) ?? null));
  return { kind: 'map', entries: sortKeys(entries.keys()).map((k) => [stringNode(k), entries.get(k)!] as const) };
}

/**
 * Work charged per byte written on top of the byte itself: the emitter decides each
 * character's fate and runs at ~10-20 MiB/s, a few times slower than the string functions
 * the work bound was sized for (limits.ts).
 */
const EMIT_WORK_PER_BYTE = 3;

/** toYaml into a builder that bounds the result as it grows; "" where Go's Marshal fails. */
export function toYaml(ctx: CallContext, v: Evaluated): GoString {
  const out = ctx.builder();
  let node: YamlNode;
  try {
    node = toNode(v);
  } catch (e) {
    if (e instanceof MarshalFailure) return '';
    throw e;
  }
  let pending = '';
  const flush = (): void => {
    const bytes = utf8(pending);
    ctx.take(EMIT_WORK_PER_BYTE * bytes.length);
    out.add(bytes);
    pending = '';
  };
  new Emitter((s) => {
    pending += s;
    if (pending.length >= 4096) flush();
  }).document(node);
  flush();
  const text = out.toString();
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}
