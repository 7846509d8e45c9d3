/**
 * DER reading and writing for the certificate helpers, on node-forge's ASN.1 (byte strings, as
 * template values are): typed accessors that fail with one message instead of returning
 * undefined, and the few constructors PKCS#12 needs.
 */
import forge from 'node-forge';
import type { GoString } from './bytes.ts';
import { FuncError } from './errors.ts';

export type Der = forge.asn1.Asn1;

/** Strict DER, all bytes used, BIT STRINGs left as bytes. */
const DER_OPTIONS = { strict: true, parseAllBytes: true, decodeBitStrings: false };

/** node-forge's fromDer takes these options (since 0.10); @types/node-forge still declares a boolean. */
const fromDer = forge.asn1.fromDer as unknown as (bytes: GoString, options: typeof DER_OPTIONS) => Der;

const { Class, Type } = forge.asn1;
export { Type };

/** One DER value that must fill `bytes`; `malformed` is the error's text. */
export function parseDer(bytes: GoString, malformed: string): Der {
  try {
    return fromDer(bytes, DER_OPTIONS);
  } catch {
    throw new FuncError(malformed);
  }
}

export const toDer = (node: Der): GoString => forge.asn1.toDer(node).getBytes();

/** Children of a universal SEQUENCE or SET (or of a context tag when `tag` is given). */
export function children(node: Der | undefined, malformed: string, tag?: number): Der[] {
  const cls = tag === undefined ? Class.UNIVERSAL : Class.CONTEXT_SPECIFIC;
  const type = tag ?? node?.type;
  if (node === undefined || node.tagClass !== cls || node.type !== type || !node.constructed || !Array.isArray(node.value)) {
    throw new FuncError(malformed);
  }
  if (tag === undefined && node.type !== Type.SEQUENCE && node.type !== Type.SET) throw new FuncError(malformed);
  return node.value;
}

/** The content bytes of a primitive value of universal `type` (or of context `tag`). */
export function primitive(node: Der | undefined, type: number, malformed: string, tag?: number): GoString {
  const cls = tag === undefined ? Class.UNIVERSAL : Class.CONTEXT_SPECIFIC;
  if (node === undefined || node.tagClass !== cls || node.type !== (tag ?? type) || node.constructed || typeof node.value !== 'string') {
    throw new FuncError(malformed);
  }
  return node.value;
}

export const octets = (node: Der | undefined, malformed: string): GoString => primitive(node, Type.OCTETSTRING, malformed);

export function oid(node: Der | undefined, malformed: string): string {
  return forge.asn1.derToOid(primitive(node, Type.OID, malformed));
}

/** A non-negative INTEGER that fits a JavaScript number exactly; larger ones are `tooLarge`. */
export function integer(node: Der | undefined, malformed: string): number {
  const bytes = primitive(node, Type.INTEGER, malformed);
  if (bytes.length === 0) throw new FuncError(malformed);
  let n = 0n;
  for (let i = 0; i < bytes.length; i++) n = (n << 8n) | BigInt(bytes.charCodeAt(i));
  if (bytes.charCodeAt(0) & 0x80) n -= 1n << BigInt(bytes.length * 8);
  if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER)) throw new FuncError(malformed);
  return Number(n);
}

export const seq = (...items: Der[]): Der => forge.asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, items);
export const set = (...items: Der[]): Der => forge.asn1.create(Class.UNIVERSAL, Type.SET, true, items);
export const octetString = (bytes: GoString): Der => forge.asn1.create(Class.UNIVERSAL, Type.OCTETSTRING, false, bytes);
export const oidNode = (id: string): Der => forge.asn1.create(Class.UNIVERSAL, Type.OID, false, forge.asn1.oidToDer(id).getBytes());
export const nullNode = (): Der => forge.asn1.create(Class.UNIVERSAL, Type.NULL, false, '');
export const int = (n: number): Der => forge.asn1.create(Class.UNIVERSAL, Type.INTEGER, false, forge.asn1.integerToDer(n).getBytes());
/** `[tag] EXPLICIT` around one value. */
export const explicit = (tag: number, inner: Der): Der => forge.asn1.create(Class.CONTEXT_SPECIFIC, tag, true, [inner]);
/** `[tag] IMPLICIT OCTET STRING`. */
export const implicitOctets = (tag: number, bytes: GoString): Der => forge.asn1.create(Class.CONTEXT_SPECIFIC, tag, false, bytes);
