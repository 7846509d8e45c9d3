/**
 * How the Go engines hold bytes, the one choice for src/go (and src/sync, which calls them).
 *
 * Go's strings and []byte are bytes, and a secret may hold any bytes, so the engines must copy
 * them exactly; their text (names, paths, messages) is UTF-8. Here:
 *   - bytes are a Uint8Array at every API of an engine and of every primitive shared between
 *     engines: secret values, JSON documents, gjson paths, base64 input and output;
 *   - text is a JavaScript string: keys of Kubernetes objects, template source, error messages;
 *   - inside text/template only, a Go string value is a byte string: a JavaScript string with one
 *     char (0 to 255) per byte (template/bytes.ts: GoString). The template functions are string
 *     functions (indexOf, replaceAll, startsWith, slice), which then run natively and exactly on
 *     bytes. The engine converts at its edges (the data it is given, the bytes it renders) and
 *     where it calls a primitive here (base64, encoding/json): one native copy of a value, never
 *     a conversion per byte.
 * UTF-8 decoding is the one primitive run per character in loops over both forms: utf8.ts
 * decodes either, with one implementation.
 */

export const EMPTY = new Uint8Array(0);

export const utf8Encoder = new TextEncoder();
export const utf8Decoder = new TextDecoder('utf-8');

/** Bytes as a byte string (one char a byte): for the template engine, and ASCII-only parsing. */
export function toByteString(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/** The bytes of a byte string, in a new array. */
export function fromByteString(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'latin1'));
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
