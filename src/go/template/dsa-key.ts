/**
 * The DER sprig writes for a DSA key (genPrivateKey "dsa"): its own ASN.1 SEQUENCE of Version
 * (0), P, Q, G, Y, X, the layout OpenSSL also uses for "DSA PRIVATE KEY". Node exports DSA keys
 * only as PKCS#8, which holds P, Q, G and X; Y is G^X mod P.
 */
import type { KeyObject } from 'node:crypto';
import forge from 'node-forge';

const { asn1 } = forge;

const toBigInt = (bytes: string): bigint => (bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes, 'latin1').toString('hex')}`));

/** A positive INTEGER's DER content: big-endian, with a leading zero when the top bit is set. */
function integer(n: bigint): forge.asn1.Asn1 {
  let hex = n.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  if (parseInt(hex.slice(0, 2), 16) >= 0x80) hex = `00${hex}`;
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, Buffer.from(hex, 'hex').toString('latin1'));
}

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
  }
  return result;
}

export function dsaPrivateKeyDer(key: KeyObject): Buffer {
  const der = key.export({ format: 'der', type: 'pkcs8' }).toString('latin1');
  const info = asn1.fromDer(der).value as forge.asn1.Asn1[];
  const params = ((info[1]!.value as forge.asn1.Asn1[])[1]!.value as forge.asn1.Asn1[]).map((n) => toBigInt(n.value as string));
  const x = toBigInt(asn1.fromDer(info[2]!.value as string).value as string);
  const [p, q, g] = params as [bigint, bigint, bigint];
  const y = modPow(g, x, p);
  const seq = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [integer(0n), integer(p), integer(q), integer(g), integer(y), integer(x)]);
  return Buffer.from(asn1.toDer(seq).getBytes(), 'latin1');
}
