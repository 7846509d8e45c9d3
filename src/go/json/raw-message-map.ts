/**
 * json.Unmarshal into a map[string]json.RawMessage: a top-level object's members, each key
 * unquoted and each value its exact source text; of duplicate keys the last wins. `null` gives no
 * members and no error, as in Go.
 */
import { LBRACE, LBRACK, LOWER_F, LOWER_N, LOWER_T, QUOTE } from '../ascii.ts';
import { type JsonVisitor, scanJson } from './scanner.ts';
import { unquote } from './unquote.ts';

export interface RawMember {
  /** The unquoted key: a view of the text when it has nothing to unquote. */
  readonly key: Uint8Array;
  /** The value's source text, a view of the text. */
  readonly value: Uint8Array;
}

export type RawMessageMap =
  | { readonly kind: 'object' | 'null'; readonly members: readonly RawMember[] }
  | { readonly kind: 'array' | 'string' | 'number' | 'boolean' }
  /** Not JSON: the byte offset where it stops being valid. */
  | { readonly kind: 'invalid'; readonly at: number };

/** Records the members of the top-level object as the scanner reads them. */
class TopLevelMembers implements JsonVisitor {
  readonly members: RawMember[] = [];
  /** The top-level value's first byte. */
  first: number | undefined;
  readonly #doc: Uint8Array;
  #depth = 0;
  #key: Uint8Array | undefined;
  #valueFrom = 0;

  constructor(doc: Uint8Array) {
    this.#doc = doc;
  }

  open(at: number): void {
    if (this.#depth === 0) this.first = this.#doc[at];
    if (this.#depth === 1) this.#valueFrom = at;
    this.#depth++;
  }

  key(from: number, to: number): void {
    if (this.#depth === 1) this.#key = unquote(this.#doc, from + 1, to - 1);
  }

  scalar(from: number, to: number): void {
    if (this.#depth === 0) this.first = this.#doc[from];
    if (this.#depth === 1) this.#member(from, to);
  }

  close(to: number): void {
    this.#depth--;
    if (this.#depth === 1) this.#member(this.#valueFrom, to);
  }

  #member(from: number, to: number): void {
    this.members.push({ key: this.#key!, value: this.#doc.subarray(from, to) });
  }
}

export function unmarshalRawMessageMap(doc: Uint8Array): RawMessageMap {
  const visitor = new TopLevelMembers(doc);
  const invalid = scanJson(doc, visitor);
  if (invalid >= 0) return { kind: 'invalid', at: invalid };
  const c = visitor.first;
  if (c === LBRACE) return { kind: 'object', members: visitor.members };
  if (c === LOWER_N) return { kind: 'null', members: [] };
  if (c === LBRACK) return { kind: 'array' };
  if (c === QUOTE) return { kind: 'string' };
  return c === LOWER_T || c === LOWER_F ? { kind: 'boolean' } : { kind: 'number' };
}
