/**
 * PKCS#12's password-based encryption and MAC as go-pkcs12 does them (crypto.go, mac.go, pbkdf.go):
 * the password as a BMPString (or UTF-8 for PBES2 and PBMAC1), the KDF of RFC 7292 appendix B,
 * PBES2 with PBKDF2 and AES-CBC, the PKCS#12 PBE ciphers (3DES, RC2), PKCS#7 padding checked as
 * go-pkcs12 checks it, and the MACs (HMAC with a PKCS#12-derived key, or PBMAC1). The primitives are
 * node:crypto's, and node-forge's RC2 (OpenSSL 3 has RC2 only in its legacy provider).
 *
 * Every key derivation is charged to the render's budget before it runs (limits.ts), so an archive
 * that asks for a billion iterations is refused instead of stalling the operator.
 */
import { createCipheriv, createDecipheriv, createHmac, hash, pbkdf2Sync, randomBytes } from 'node:crypto';
import forge from 'node-forge';
import type { CallContext } from './budget.ts';
import { toText, type GoString } from './bytes.ts';
import { children, int, integer, nullNode, octets, octetString, oid, oidNode, seq, type Der } from './der.ts';
import { FuncError } from './errors.ts';

/** The algorithms' OIDs (RFC 7292, RFC 8018, NIST). */
export const ALGORITHM = {
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha512: '2.16.840.1.101.3.4.2.3',
  pbmac1: '1.2.840.113549.1.5.14',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  hmacSha1: '1.2.840.113549.2.7',
  hmacSha256: '1.2.840.113549.2.9',
  hmacSha512: '1.2.840.113549.2.11',
  aes128: '2.16.840.1.101.3.4.1.2',
  aes192: '2.16.840.1.101.3.4.1.22',
  aes256: '2.16.840.1.101.3.4.1.42',
  sha3Des: '1.2.840.113549.1.12.1.3',
  sha128Rc2: '1.2.840.113549.1.12.1.5',
  sha40Rc2: '1.2.840.113549.1.12.1.6',
} as const;

/** go-pkcs12 Modern2023's iteration count (encryption and MAC) and salt size. */
export const MODERN_ITERATIONS = 2048;
export const MODERN_SALT_BYTES = 16;

/** go-pkcs12's errors, which all start "pkcs12: " (its NotImplementedError too). */
export class Pkcs12Error extends FuncError {
  constructor(message: string) {
    super(`pkcs12: ${message}`);
  }
}

export const notImplemented = (what: string): Pkcs12Error => new Pkcs12Error(what);
export const incorrectPassword = (): Pkcs12Error => new Pkcs12Error('decryption password incorrect');
export const MALFORMED = 'pkcs12: error reading P12 data: malformed DER';

/** The password as go-pkcs12 holds it: UCS-2 big-endian with a NUL terminator, or no bytes at all. */
export function bmpPassword(password: GoString): Buffer {
  return Buffer.concat([bmpString(password), Buffer.alloc(2)]);
}

/** go-pkcs12's bmpString: UCS-2 big-endian; characters outside the BMP are refused, not paired. */
export function bmpString(s: GoString): Buffer {
  const text = toText(s);
  const out = Buffer.alloc(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdfff) throw new Pkcs12Error('string contains characters that cannot be encoded in UCS-2');
    out.writeUInt16BE(unit, i * 2);
  }
  return out;
}

/** PBES2 and PBMAC1 take the password as UTF-8, recovered from the BMPString as go-pkcs12 does. */
const utf8Password = (bmp: Buffer): Buffer =>
  // A copy: swap16 works in place, and the BMPString is used again.
  Buffer.from(bmp.length < 2 ? '' : Buffer.from(bmp.subarray(0, bmp.length - 2)).swap16().toString('utf16le'), 'utf8');

interface Hash {
  readonly name: 'sha1' | 'sha256' | 'sha512';
  /** Output bytes (u) and block bytes (v) of RFC 7292 appendix B. */
  readonly u: number;
  readonly v: number;
}

const SHA1: Hash = { name: 'sha1', u: 20, v: 64 };
const SHA256: Hash = { name: 'sha256', u: 32, v: 64 };
const SHA512: Hash = { name: 'sha512', u: 64, v: 128 };

/**
 * The key derivation of RFC 7292 appendix B.2 (MAC keys and the PBE ciphers' keys and IVs).
 * Iterations are charged before any hashing: each output block hashes `iterations` times.
 */
function pkcs12Kdf(ctx: CallContext, h: Hash, salt: Buffer, password: Buffer, iterations: number, id: number, size: number): Buffer {
  const rounds = Math.max(1, iterations);
  const blocks = Math.ceil(size / h.u);
  ctx.budget.deriveKeys(rounds * blocks);
  const fill = (src: Buffer): Buffer => {
    if (src.length === 0) return Buffer.alloc(0);
    const len = h.v * Math.ceil(src.length / h.v);
    const out = Buffer.alloc(len);
    for (let i = 0; i < len; i++) out[i] = src[i % src.length]!;
    return out;
  };
  const D = Buffer.alloc(h.v, id);
  let I = Buffer.concat([fill(salt), fill(password)]);
  const out: Buffer[] = [];
  for (let b = 0; b < blocks; b++) {
    let A = hash(h.name, Buffer.concat([D, I]), 'buffer');
    for (let r = 1; r < rounds; r++) A = hash(h.name, A, 'buffer');
    out.push(A);
    if (b === blocks - 1) break;
    const B = fill(A).subarray(0, h.v);
    const next = Buffer.alloc(I.length);
    for (let j = 0; j < I.length / h.v; j++) {
      // I_j = (I_j + B + 1) mod 2^(v*8)
      let carry = 1;
      for (let k = h.v - 1; k >= 0; k--) {
        const sum = I[j * h.v + k]! + B[k]! + carry;
        next[j * h.v + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
    I = next;
  }
  return Buffer.concat(out).subarray(0, size);
}

function pbkdf2(ctx: CallContext, password: Buffer, salt: Buffer, iterations: number, keyLength: number, prf: Hash): Buffer {
  const rounds = Math.max(1, iterations);
  ctx.budget.deriveKeys(rounds * Math.ceil(keyLength / prf.u));
  return pbkdf2Sync(password, salt, rounds, keyLength, prf.name);
}

const PRFS = new Map<string, Hash>([[ALGORITHM.hmacSha256, SHA256], [ALGORITHM.hmacSha512, SHA512], [ALGORITHM.hmacSha1, SHA1]]);

/** PBKDF2-params: salt (an OCTET STRING), iterations, optional key length, optional PRF (HMAC-SHA-1 by default). */
function pbkdf2Params(node: Der | undefined, what: string): { salt: Buffer; iterations: number; keyLength?: number; prf: Hash } {
  const fields = children(node, MALFORMED);
  if (fields[0]?.type !== forge.asn1.Type.OCTETSTRING) throw notImplemented(`only octet string salts are supported for ${what}`);
  const salt = Buffer.from(octets(fields[0], MALFORMED), 'latin1');
  const iterations = integer(fields[1], MALFORMED);
  let i = 2;
  let keyLength: number | undefined;
  if (fields[i]?.type === forge.asn1.Type.INTEGER) keyLength = integer(fields[i++], MALFORMED);
  let prf = SHA1;
  if (fields[i] !== undefined) {
    const prfOid = oid(children(fields[i], MALFORMED)[0], MALFORMED);
    const found = PRFS.get(prfOid);
    if (found === undefined) throw notImplemented(`${what === 'pbes2/pbkdf2' ? 'pbes2 prf' : 'PBMAC1 PRF'} ${prfOid} is not supported`);
    prf = found;
  }
  return { salt, iterations, keyLength, prf };
}

/** A symmetric cipher in CBC mode, decrypting or encrypting without padding (padding is go-pkcs12's). */
export interface Cbc {
  readonly blockSize: number;
  run(data: Buffer, encrypt: boolean): Buffer;
}

function nodeCbc(name: string, key: Buffer, iv: Buffer): Cbc {
  return {
    blockSize: name.startsWith('aes') ? 16 : 8,
    run(data, encrypt) {
      const c = encrypt ? createCipheriv(name, key, iv) : createDecipheriv(name, key, iv);
      c.setAutoPadding(false);
      return Buffer.concat([c.update(data), c.final()]);
    },
  };
}

function rc2Cbc(key: Buffer, iv: Buffer): Cbc {
  return {
    blockSize: 8,
    run(data, encrypt) {
      const keyBytes = key.toString('latin1');
      const c = encrypt ? forge.rc2.createEncryptionCipher(keyBytes, key.length * 8) : forge.rc2.createDecryptionCipher(keyBytes, key.length * 8);
      c.start(iv.toString('latin1'));
      c.update(forge.util.createBuffer(data.toString('latin1')));
      c.finish(() => true);
      return Buffer.from(c.output.getBytes(), 'latin1');
    },
  };
}

const AES = new Map<string, [name: string, keyLength: number]>([
  [ALGORITHM.aes256, ['aes-256-cbc', 32]], [ALGORITHM.aes192, ['aes-192-cbc', 24]], [ALGORITHM.aes128, ['aes-128-cbc', 16]],
]);

/** go-pkcs12's pbeCipherFor: the cipher an AlgorithmIdentifier names, keyed from the password. */
function cipherFor(ctx: CallContext, algorithm: Der | undefined, password: Buffer): Cbc {
  const fields = children(algorithm, MALFORMED);
  const id = oid(fields[0], MALFORMED);
  if (id === ALGORITHM.pbes2) {
    const [kdf, scheme] = children(fields[1], MALFORMED);
    const kdfFields = children(kdf, MALFORMED);
    const kdfOid = oid(kdfFields[0], MALFORMED);
    if (kdfOid !== ALGORITHM.pbkdf2) throw notImplemented(`pbes2 kdf algorithm ${kdfOid} is not supported`);
    const params = pbkdf2Params(kdfFields[1], 'pbes2/pbkdf2');
    const schemeFields = children(scheme, MALFORMED);
    const schemeOid = oid(schemeFields[0], MALFORMED);
    const aes = AES.get(schemeOid);
    if (aes === undefined) throw notImplemented(`pbes2 algorithm ${schemeOid} is not supported`);
    const iv = Buffer.from(octets(schemeFields[1], MALFORMED), 'latin1');
    if (iv.length !== 16) throw new Pkcs12Error(`invalid IV length in PBES2 encryption scheme (IV length ${iv.length} does not match block size 16)`);
    return nodeCbc(aes[0], pbkdf2(ctx, utf8Password(password), params.salt, params.iterations, aes[1], params.prf), iv);
  }
  const keyLength = id === ALGORITHM.sha3Des ? 24 : id === ALGORITHM.sha128Rc2 ? 16 : id === ALGORITHM.sha40Rc2 ? 5 : 0;
  if (keyLength === 0) throw notImplemented(`pbe algorithm ${id} is not supported`);
  const params = children(fields[1], MALFORMED);
  const salt = Buffer.from(octets(params[0], MALFORMED), 'latin1');
  const iterations = integer(params[1], MALFORMED);
  const key = pkcs12Kdf(ctx, SHA1, salt, password, iterations, 1, keyLength);
  const iv = pkcs12Kdf(ctx, SHA1, salt, password, iterations, 2, 8);
  return id === ALGORITHM.sha3Des ? nodeCbc('des-ede3-cbc', key, iv) : rc2Cbc(key, iv);
}

const decryptionError = (): Pkcs12Error => new Pkcs12Error('decryption error, incorrect padding');

/** go-pkcs12's pbDecrypt: decrypts and checks the PKCS#7 padding as it does. */
export function decrypt(ctx: CallContext, algorithm: Der | undefined, encrypted: Buffer, password: Buffer): Buffer {
  const cipher = cipherFor(ctx, algorithm, password);
  if (encrypted.length === 0) throw new Pkcs12Error('empty encrypted data');
  if (encrypted.length % cipher.blockSize !== 0) throw new Pkcs12Error('input is not a multiple of the block size');
  const plain = cipher.run(encrypted, false);
  const pad = plain[plain.length - 1]!;
  if (pad === 0 || pad > cipher.blockSize || plain.length < pad) throw decryptionError();
  for (let i = plain.length - pad; i < plain.length; i++) if (plain[i] !== pad) throw decryptionError();
  return plain.subarray(0, plain.length - pad);
}

export function encrypt(cipher: Cbc, plain: Buffer): Buffer {
  const pad = cipher.blockSize - (plain.length % cipher.blockSize);
  return cipher.run(Buffer.concat([plain, Buffer.alloc(pad, pad)]), true);
}

const MAC_HASHES = new Map<string, Hash>([[ALGORITHM.sha1, SHA1], [ALGORITHM.sha256, SHA256], [ALGORITHM.sha512, SHA512]]);

/** go-pkcs12's doMac: the MAC of the authenticated safe under the password. */
export function computeMac(ctx: CallContext, algorithm: Der | undefined, salt: Buffer, iterations: number, message: Buffer, password: Buffer): Buffer {
  const fields = children(algorithm, MALFORMED);
  const id = oid(fields[0], MALFORMED);
  if (id === ALGORITHM.pbmac1) {
    const [kdf, macAlg] = children(fields[1], MALFORMED);
    const kdfFields = children(kdf, MALFORMED);
    const kdfOid = oid(kdfFields[0], MALFORMED);
    if (kdfOid !== ALGORITHM.pbkdf2) throw notImplemented(`PBMAC1 KDF algorithm ${kdfOid} is not supported`);
    const params = pbkdf2Params(kdfFields[1], 'PBMAC1/PBKDF2');
    const macOid = oid(children(macAlg, MALFORMED)[0], MALFORMED);
    const mac = PRFS.get(macOid);
    if (mac === undefined) throw notImplemented(`PBMAC1 MAC algorithm ${macOid} is not supported`);
    const keyLength = params.keyLength ?? 0;
    if (keyLength <= 0) throw new Pkcs12Error('PBMAC1 requires explicit KeyLength parameter in PBKDF2 parameters');
    if (keyLength < 20) throw new Pkcs12Error(`PBMAC1 key length ${keyLength} is too short to be secure (minimum 20 octets)`);
    if (keyLength > 64) throw new Pkcs12Error(`PBMAC1 key length ${keyLength} is too large (maximum 64 octets)`);
    const key = pbkdf2(ctx, utf8Password(password), params.salt, params.iterations, keyLength, params.prf);
    return createHmac(mac.name, key).update(message).digest();
  }
  const h = MAC_HASHES.get(id);
  if (h === undefined) throw notImplemented(`MAC digest algorithm not supported: ${id}`);
  return createHmac(h.name, pkcs12Kdf(ctx, h, salt, password, iterations, 3, h.u)).update(message).digest();
}

/** PBES2 AlgorithmIdentifier and cipher of Modern2023: PBKDF2-HMAC-SHA-256 and AES-256-CBC. */
export function modernCipher(ctx: CallContext, password: Buffer): { algorithm: Der; cipher: Cbc } {
  const salt = randomBytes(MODERN_SALT_BYTES);
  const iv = randomBytes(16);
  const key = pbkdf2(ctx, utf8Password(password), salt, MODERN_ITERATIONS, 32, SHA256);
  const algorithm = seq(
    oidNode(ALGORITHM.pbes2),
    seq(
      seq(oidNode(ALGORITHM.pbkdf2), seq(octetString(salt.toString('latin1')), int(MODERN_ITERATIONS), seq(oidNode(ALGORITHM.hmacSha256), nullNode()))),
      seq(oidNode(ALGORITHM.aes256), octetString(iv.toString('latin1'))),
    ),
  );
  return { algorithm, cipher: nodeCbc('aes-256-cbc', key, iv) };
}

