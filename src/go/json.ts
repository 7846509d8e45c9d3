/**
 * Go's encoding/json output for the values ESO marshals (tag maps, template
 * toJson): object keys sorted by byte order, and Go's string escaping, which also
 * escapes <, > and & (HTML safety) and U+2028/U+2029. Byte-compatible output keeps
 * Secrets identical to ESO's.
 */
export function goJsonString(value: string): string {
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < value.length) {
      const d = value.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out += value[i]! + value[i + 1]!;
        i++;
        continue;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) out += '\ufffd'; // a lone surrogate is invalid UTF-8 to Go
    else if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x08) out += '\\b';
    else if (c === 0x0c) out += '\\f';
    else if (c < 0x20 || c === 0x3c || c === 0x3e || c === 0x26 || c === 0x2028 || c === 0x2029) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += value[i];
  }
  return `${out}"`;
}

/** Byte order of UTF-8, which Go uses to sort map keys (differs from UTF-16 order above U+FFFF). */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** json.Marshal of a map[string]string. */
export function goJsonStringMap(map: Record<string, string>): string {
  const keys = Object.keys(map).sort(compareUtf8);
  return `{${keys.map((k) => `${goJsonString(k)}:${goJsonString(map[k]!)}`).join(',')}}`;
}
