/**
 * `dataFrom[].rewrite[].merge`, as ESO 2.9 does it (runtime/esutils/utils.go, RewriteMerge): every
 * value of the keys so far is read as a JSON object, and their members are merged into one map.
 *   - Order: the keys not listed in `priority`, in Go's string order, then the `priority` keys in
 *     the order listed (a later value overwrites an earlier one, so the last one listed wins).
 *     A priority key that is not there fails (`priorityPolicy: Strict`, the default) or is skipped
 *     (`IgnoreNotFound`).
 *   - A member found in more than one value is a conflict: an error (`conflictPolicy: Error`, the
 *     default), or the later value wins (`Ignore`).
 *   - `strategy: Extract` (the default): the merged members are the keys; a string member is its
 *     text, a number Go's FormatFloat(f, 'f', -1, 64) (`1e3` is `1000`), a bool `true`/`false`,
 *     null the empty value, an object or list json.Marshal's bytes (keys sorted, HTML escaped).
 *   - `strategy: JSON`: the keys stay as they were, and `into` gets the merged object, encoded as
 *     an Encoder with SetEscapeHTML(false) writes it (no trailing newline). `into` is required.
 * Values are parsed and encoded by src/go/json/any.ts. The decoded values are counted against
 * the reconcile's RewriteBudget and the encoded bytes against what a Secret holds, as they are made.
 * Messages name keys, never values. Where ESO lists conflicts in Go's random map order, they are
 * listed sorted here.
 */
import type { ExternalSecretRewriteMerge } from '../api/generated.ts';
import { OperatorError } from '../errors.ts';
import { utf8Encoder } from '../go/bytes.ts';
import { BoundedBytes, JsonDecodeError, type JsonAny, JsonObject, JsonValueLimitError, marshalAny, unmarshalObject } from '../go/json/any.ts';
import { formatFloat } from '../go/strconv.ts';
import { sortedByUtf8 } from '../go/utf8.ts';
import { MAX_SECRET_BYTES } from './secret-size.ts';

/**
 * JSON values (each string, number, list, object...) the merges of one reconcile may decode: a
 * value costs ~50-250 bytes of heap as a tree, while `[],` is 3 bytes of text, so 1 MiB of such
 * text would grow to tens of MiB. 100,000 values is far more than secrets hold (an AWS secret is
 * at most 64 KiB) and keeps the trees of a reconcile within ~25 MiB.
 */
export const MAX_MERGE_VALUES = 100_000;

/** What the merges of one reconcile have decoded so far (part of rewrite.ts's RewriteBudget). */
export interface MergeBudget {
  mergeValues: number;
}

/** Applies one merge rewrite to the keys so far; `at` names it, e.g. `spec.dataFrom[0].rewrite[1].merge`. */
export function rewriteMerge(
  map: Readonly<Record<string, Uint8Array>>,
  merge: ExternalSecretRewriteMerge,
  at: string,
  budget: MergeBudget,
): Record<string, Uint8Array> {
  const priority = merge.priority ?? [];
  const listed = new Set(priority);
  const order = [...sortedByUtf8(Object.keys(map).filter((key) => !listed.has(key))), ...priority];
  const count = (): void => {
    if (++budget.mergeValues > MAX_MERGE_VALUES) throw new JsonValueLimitError('too many values');
  };

  const merged = new JsonObject();
  const conflicts = new Set<string>();
  for (const key of order) {
    const value = map[key];
    if (value === undefined) {
      if (merge.priorityPolicy === 'IgnoreNotFound') continue;
      throw new OperatorError('PropertyNotFound', `${at}: priority key ${JSON.stringify(key)} is not among the keys to merge (priorityPolicy Strict); set priorityPolicy: IgnoreNotFound to skip it`);
    }
    let object: JsonObject;
    try {
      object = unmarshalObject(value, count);
    } catch (error) {
      if (error instanceof JsonValueLimitError) {
        throw new OperatorError('SecretTooLarge', `${at}: the values to merge hold more than ${MAX_MERGE_VALUES} JSON values, more than this operator decodes in one reconcile`);
      }
      if (!(error instanceof JsonDecodeError)) throw error;
      throw new OperatorError('DecodingFailed', `${at}: the value of key ${JSON.stringify(key)} is not a JSON object, which merge needs: ${error.message}`);
    }
    for (const [member, v] of object.members) {
      if (merged.members.has(member)) conflicts.add(member);
      merged.members.set(member, v);
    }
  }

  if (conflicts.size > 0 && merge.conflictPolicy !== 'Ignore') {
    const names = sortedByUtf8([...conflicts]).map((k) => JSON.stringify(k)).join(', ');
    throw new OperatorError('InvalidSecretKey', `${at}: ${conflicts.size === 1 ? 'key' : 'keys'} ${names} ${conflicts.size === 1 ? 'is' : 'are'} in more than one of the merged values; set conflictPolicy: Ignore (the last in priority order wins) or keep them apart`);
  }

  const room = { left: MAX_SECRET_BYTES };
  try {
    if (merge.strategy === 'JSON') {
      if (!merge.into) throw new OperatorError('InvalidSpec', `${at}.into is required with strategy JSON: name the key that receives the merged object`);
      const out: Record<string, Uint8Array> = Object.assign(Object.create(null), map);
      const writer = new BoundedBytes(room);
      marshalAny(merged, writer, false);
      out[merge.into] = writer.result();
      return out;
    }
    const out: Record<string, Uint8Array> = Object.create(null);
    for (const [member, v] of merged.members) out[member] = bytesOf(v, room);
    return out;
  } catch (error) {
    if (!(error instanceof JsonValueLimitError)) throw error;
    throw new OperatorError('SecretTooLarge', `${at}: the merged values would be more than ${MAX_SECRET_BYTES} bytes, more than a Secret holds`);
  }
}

/** ESO's GetByteValue for what json.Unmarshal made of a member. */
function bytesOf(v: JsonAny, room: { left: number }): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (v === null) return new Uint8Array(0);
  if (typeof v === 'boolean') return utf8Encoder.encode(String(v));
  if (typeof v === 'number') return utf8Encoder.encode(formatFloat(v, 'f', -1));
  const writer = new BoundedBytes(room);
  marshalAny(v, writer, true);
  return writer.result();
}
