/** ASCII byte values by name, for the engines that read bytes (gjson, encoding/json, base64). */

export const TAB = 0x09;
export const LF = 0x0a;
export const CR = 0x0d;
export const SPACE = 0x20;
export const BANG = 0x21;
export const QUOTE = 0x22;
export const HASH = 0x23;
export const LPAREN = 0x28;
export const RPAREN = 0x29;
export const STAR = 0x2a;
export const PLUS = 0x2b;
export const COMMA = 0x2c;
export const MINUS = 0x2d;
export const DOT = 0x2e;
export const SLASH = 0x2f;
export const DIGIT_0 = 0x30;
export const DIGIT_9 = 0x39;
export const COLON = 0x3a;
export const EQUALS = 0x3d;
export const QMARK = 0x3f;
export const AT = 0x40;
export const UPPER_E = 0x45;
export const UPPER_I = 0x49;
export const UPPER_N = 0x4e;
export const LBRACK = 0x5b;
export const BSLASH = 0x5c;
export const RBRACK = 0x5d;
export const LOWER_A = 0x61;
export const LOWER_B = 0x62;
export const LOWER_E = 0x65;
export const LOWER_F = 0x66;
export const LOWER_I = 0x69;
export const LOWER_N = 0x6e;
export const LOWER_R = 0x72;
export const LOWER_T = 0x74;
export const LOWER_U = 0x75;
export const LOWER_Z = 0x7a;
export const LBRACE = 0x7b;
export const PIPE = 0x7c;
export const RBRACE = 0x7d;

/** The value of a hex digit, or -1. */
export function hexDigit(c: number | undefined): number {
  if (c === undefined) return -1;
  if (c >= DIGIT_0 && c <= DIGIT_9) return c - DIGIT_0;
  const lower = c | 0x20;
  if (lower >= LOWER_A && lower <= LOWER_F) return lower - LOWER_A + 10;
  return -1;
}

/** The value of four hex digits at `at`, or -1 unless all four are. */
export function hex4(bytes: Uint8Array, at: number): number {
  let n = 0;
  for (let k = 0; k < 4; k++) {
    const d = hexDigit(bytes[at + k]);
    if (d < 0) return -1;
    n = n * 16 + d;
  }
  return n;
}
