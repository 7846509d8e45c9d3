/**
 * Go's base32.StdEncoding.EncodeToString (RFC 4648 alphabet, `=` padding), written out because
 * Node has no base32 codec: ESO's Password generator writes `encoding: base32` this way.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function encodeBase32(src: Uint8Array): string {
  let out = '';
  for (let i = 0; i < src.length; i += 5) {
    const n = Math.min(5, src.length - i);
    // 40 bits of the block, the missing bytes zero; a Number holds 40 bits exactly.
    let bits = 0;
    for (let k = 0; k < 5; k++) bits = bits * 256 + (k < n ? src[i + k]! : 0);
    const chars = Math.ceil((n * 8) / 5);
    for (let k = 0; k < 8; k++) out += k < chars ? ALPHABET[Math.floor(bits / 2 ** (35 - 5 * k)) % 32] : '=';
  }
  return out;
}
