import type { GoString } from './bytes.ts';

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const decodeMap = new Map([...alphabet].map((c, i) => [c, i]));

export const b64encode = (s: GoString): GoString => Buffer.from(s, 'latin1').toString('base64');

const isNewline = (c: string | undefined): boolean => c === '\n' || c === '\r';

/**
 * base64.StdEncoding.DecodeString: padding required, \r and \n skipped,
 * anything else invalid. Node's decoder is lenient, so we decode ourselves to
 * fail where Go fails; the error names the same input byte Go's does. The
 * output is never longer than 3/4 of the input, and is written into one
 * buffer of that size.
 */
export function b64decode(s: GoString): { value: GoString } | { error: string } {
  const corrupt = (at: number): { error: string } => ({ error: `illegal base64 data at input byte ${at}` });
  const out = Buffer.allocUnsafe(Math.floor((s.length * 3) / 4));
  let n = 0;
  const value = (): { value: GoString } => ({ value: out.toString('latin1', 0, n) });
  let si = 0;
  for (;;) {
    const quantum: number[] = [];
    let done = false;
    while (quantum.length < 4) {
      if (si === s.length) {
        if (quantum.length === 0) return value();
        return corrupt(si - quantum.length);
      }
      const c = s[si++]!;
      const v = decodeMap.get(c);
      if (v !== undefined) {
        quantum.push(v);
        continue;
      }
      if (isNewline(c)) continue;
      if (c !== '=' || quantum.length < 2) return corrupt(si - 1);
      if (quantum.length === 2) {
        // "==" is required after two symbols; newlines may sit between.
        while (isNewline(s[si])) si++;
        if (si === s.length) return corrupt(s.length);
        if (s[si] !== '=') return corrupt(si - 1);
        si++;
      }
      while (isNewline(s[si])) si++;
      if (si < s.length) {
        // Go reports trailing garbage after padding, having decoded this quantum.
        return corrupt(si);
      }
      done = true;
      break;
    }
    const [a = 0, b = 0, c = 0, d = 0] = quantum;
    const bits = (a << 18) | (b << 12) | (c << 6) | d;
    out[n++] = (bits >> 16) & 0xff;
    if (quantum.length > 2) out[n++] = (bits >> 8) & 0xff;
    if (quantum.length > 3) out[n++] = bits & 0xff;
    if (done) return value();
  }
}
