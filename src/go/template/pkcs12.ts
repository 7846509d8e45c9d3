/**
 * PKCS#12 (RFC 7292) as ESO's helpers use software.sslmate.com/src/go-pkcs12: DecodeChain, and
 * Modern.Encode (go-pkcs12's Modern2023). No npm library encodes what go-pkcs12 does (node-forge
 * leaves certificates unencrypted and MACs with SHA-1 only, PKI.js is asynchronous), so the
 * structure is assembled here, on node-forge's ASN.1, from node:crypto's primitives (PBKDF2,
 * AES, 3DES, HMAC, SHA) and node-forge's RC2 (OpenSSL 3 has RC2 only in its legacy provider).
 *
 * Decoding follows go-pkcs12: a version 3 PFX; a MAC over the authenticated safe (SHA-1, SHA-256,
 * SHA-512 or PBMAC1), checked with the password as a NUL-terminated BMPString and, for an empty
 * password, again with no bytes; one or two contents, plain or password-encrypted
 * (pbeWithSHAAnd3-KeyTripleDES-CBC, pbeWithSHAAnd128/40BitRC2-CBC, or PBES2 with PBKDF2 and
 * AES-CBC); the first certificate bag is the certificate, later ones the CA certificates; exactly
 * one key bag. Encoding is Modern2023 (and its EncodeTrustStore): PBES2 (PBKDF2-HMAC-SHA-256, AES-256-CBC, 2048 iterations,
 * 16-byte salts) over the certificates and the key, an HMAC-SHA-256 MAC (2048 iterations), and
 * the SHA-1 of the certificate as the localKeyId of the certificate and the key.
 *
 * Every key derivation is charged to the render's budget before it runs (limits.ts), so an
 * archive that asks for a billion iterations is refused instead of stalling the operator.
 */
import { createCipheriv, createDecipheriv, createHmac, hash, pbkdf2Sync, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import type { CallContext } from './budget.ts';
import { toText, type GoString } from './bytes.ts';
import {
  children, explicit, implicitOctets, int, integer, nullNode, octets, octetString, oid, oidNode, parseDer, primitive, seq, set, toDer, type Der,
} from './der.ts';
import { FuncError, LimitError } from './errors.ts';
import { parseCertificate, parsePkcs8, pkcs8, type Certificate } from './x509.ts';
import { nameString } from './x509-name.ts';

const OID = {
  data: '1.2.840.113549.1.7.1',
  encryptedData: '1.2.840.113549.1.7.6',
  keyBag: '1.2.840.113549.1.12.10.1.1',
  shroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  localKeyId: '1.2.840.113549.1.9.21',
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
  friendlyName: '1.2.840.113549.1.9.20',
  javaTrustedKeyUsage: '2.16.840.1.113894.746875.1.1',
  anyExtendedKeyUsage: '2.5.29.37.0',
} as const;

const MODERN_ITERATIONS = 2048;
const MODERN_SALT_BYTES = 16;

class Pkcs12Error extends FuncError {
  constructor(message: string) {
    super(`pkcs12: ${message}`);
  }
}

const notImplemented = (what: string): Pkcs12Error => new Pkcs12Error(what);
const incorrectPassword = (): Pkcs12Error => new Pkcs12Error('decryption password incorrect');
const MALFORMED = 'pkcs12: error reading P12 data: malformed DER';

/** The password as go-pkcs12 holds it: UCS-2 big-endian with a NUL terminator, or no bytes at all. */
function bmpPassword(password: GoString): Buffer {
  return Buffer.concat([bmpString(password), Buffer.alloc(2)]);
}

/** go-pkcs12's bmpString: UCS-2 big-endian; characters outside the BMP are refused, not paired. */
function bmpString(s: GoString): Buffer {
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

const PRFS = new Map<string, Hash>([[OID.hmacSha256, SHA256], [OID.hmacSha512, SHA512], [OID.hmacSha1, SHA1]]);

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
interface Cbc {
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
  [OID.aes256, ['aes-256-cbc', 32]], [OID.aes192, ['aes-192-cbc', 24]], [OID.aes128, ['aes-128-cbc', 16]],
]);

/** go-pkcs12's pbeCipherFor: the cipher an AlgorithmIdentifier names, keyed from the password. */
function cipherFor(ctx: CallContext, algorithm: Der | undefined, password: Buffer): Cbc {
  const fields = children(algorithm, MALFORMED);
  const id = oid(fields[0], MALFORMED);
  if (id === OID.pbes2) {
    const [kdf, scheme] = children(fields[1], MALFORMED);
    const kdfFields = children(kdf, MALFORMED);
    const kdfOid = oid(kdfFields[0], MALFORMED);
    if (kdfOid !== OID.pbkdf2) throw notImplemented(`pbes2 kdf algorithm ${kdfOid} is not supported`);
    const params = pbkdf2Params(kdfFields[1], 'pbes2/pbkdf2');
    const schemeFields = children(scheme, MALFORMED);
    const schemeOid = oid(schemeFields[0], MALFORMED);
    const aes = AES.get(schemeOid);
    if (aes === undefined) throw notImplemented(`pbes2 algorithm ${schemeOid} is not supported`);
    const iv = Buffer.from(octets(schemeFields[1], MALFORMED), 'latin1');
    if (iv.length !== 16) throw new Pkcs12Error(`invalid IV length in PBES2 encryption scheme (IV length ${iv.length} does not match block size 16)`);
    return nodeCbc(aes[0], pbkdf2(ctx, utf8Password(password), params.salt, params.iterations, aes[1], params.prf), iv);
  }
  const keyLength = id === OID.sha3Des ? 24 : id === OID.sha128Rc2 ? 16 : id === OID.sha40Rc2 ? 5 : 0;
  if (keyLength === 0) throw notImplemented(`pbe algorithm ${id} is not supported`);
  const params = children(fields[1], MALFORMED);
  const salt = Buffer.from(octets(params[0], MALFORMED), 'latin1');
  const iterations = integer(params[1], MALFORMED);
  const key = pkcs12Kdf(ctx, SHA1, salt, password, iterations, 1, keyLength);
  const iv = pkcs12Kdf(ctx, SHA1, salt, password, iterations, 2, 8);
  return id === OID.sha3Des ? nodeCbc('des-ede3-cbc', key, iv) : rc2Cbc(key, iv);
}

const decryptionError = (): Pkcs12Error => new Pkcs12Error('decryption error, incorrect padding');

/** go-pkcs12's pbDecrypt: decrypts and checks the PKCS#7 padding as it does. */
function decrypt(ctx: CallContext, algorithm: Der | undefined, encrypted: Buffer, password: Buffer): Buffer {
  const cipher = cipherFor(ctx, algorithm, password);
  if (encrypted.length === 0) throw new Pkcs12Error('empty encrypted data');
  if (encrypted.length % cipher.blockSize !== 0) throw new Pkcs12Error('input is not a multiple of the block size');
  const plain = cipher.run(encrypted, false);
  const pad = plain[plain.length - 1]!;
  if (pad === 0 || pad > cipher.blockSize || plain.length < pad) throw decryptionError();
  for (let i = plain.length - pad; i < plain.length; i++) if (plain[i] !== pad) throw decryptionError();
  return plain.subarray(0, plain.length - pad);
}

function encrypt(cipher: Cbc, plain: Buffer): Buffer {
  const pad = cipher.blockSize - (plain.length % cipher.blockSize);
  return cipher.run(Buffer.concat([plain, Buffer.alloc(pad, pad)]), true);
}

const MAC_HASHES = new Map<string, Hash>([[OID.sha1, SHA1], [OID.sha256, SHA256], [OID.sha512, SHA512]]);

/** go-pkcs12's doMac: the MAC of the authenticated safe under the password. */
function computeMac(ctx: CallContext, algorithm: Der | undefined, salt: Buffer, iterations: number, message: Buffer, password: Buffer): Buffer {
  const fields = children(algorithm, MALFORMED);
  const id = oid(fields[0], MALFORMED);
  if (id === OID.pbmac1) {
    const [kdf, macAlg] = children(fields[1], MALFORMED);
    const kdfFields = children(kdf, MALFORMED);
    const kdfOid = oid(kdfFields[0], MALFORMED);
    if (kdfOid !== OID.pbkdf2) throw notImplemented(`PBMAC1 KDF algorithm ${kdfOid} is not supported`);
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

/** `[0] EXPLICIT` content of a ContentInfo, SafeBag or CertBag. */
const explicitContent = (node: Der | undefined): Der | undefined => children(node, MALFORMED, 0)[0];

const isEmptyPassword = (p: Buffer): boolean => p.length === 2 && p[0] === 0 && p[1] === 0;

/** getSafeContents: the bags of a PFX, after its MAC is checked; and the password form that verified. */
function safeBags(ctx: CallContext, pfxData: GoString, password: Buffer): { bags: Der[]; password: Buffer } {
  const pfx = children(parseDer(pfxData, MALFORMED), MALFORMED);
  if (integer(pfx[0], MALFORMED) !== 3) throw notImplemented("can only decode v3 PFX PDU's");
  const authSafe = children(pfx[1], MALFORMED);
  if (oid(authSafe[0], MALFORMED) !== OID.data) throw notImplemented('only password-protected PFX is implemented');
  const content = Buffer.from(octets(explicitContent(authSafe[1]), MALFORMED), 'latin1');

  let pass = password;
  if (pfx[2] === undefined) {
    if (!isEmptyPassword(password)) throw new Pkcs12Error('no MAC in data');
  } else {
    const macData = children(pfx[2], MALFORMED);
    const [algorithm, digest] = children(macData[0], MALFORMED);
    const expected = Buffer.from(octets(digest, MALFORMED), 'latin1');
    const salt = Buffer.from(octets(macData[1], MALFORMED), 'latin1');
    const iterations = macData[2] === undefined ? 1 : integer(macData[2], MALFORMED);
    const matches = (p: Buffer): boolean => {
      const got = computeMac(ctx, algorithm, salt, iterations, content, p);
      return got.length === expected.length && timingSafeEqual(got, expected);
    };
    if (!matches(pass)) {
      // Some encoders take the empty password as no bytes at all.
      if (!isEmptyPassword(pass) || !matches(Buffer.alloc(0))) throw incorrectPassword();
      pass = Buffer.alloc(0);
    }
  }

  const infos = children(parseDer(content.toString('latin1'), MALFORMED), MALFORMED);
  if (infos.length < 1 || infos.length > 2) {
    throw notImplemented(`expected between 1 and 2 items in the authenticated safe, but this file has ${infos.length}`);
  }
  const bags: Der[] = [];
  for (const info of infos) {
    const fields = children(info, MALFORMED);
    const type = oid(fields[0], MALFORMED);
    let data: GoString;
    if (type === OID.data) {
      data = octets(explicitContent(fields[1]), MALFORMED);
    } else if (type === OID.encryptedData) {
      const encrypted = children(explicitContent(fields[1]), MALFORMED);
      if (integer(encrypted[0], MALFORMED) !== 0) throw notImplemented('only version 0 of EncryptedData is supported');
      const eci = children(encrypted[1], MALFORMED);
      const body = eci[2] === undefined ? '' : primitive(eci[2], forge.asn1.Type.OCTETSTRING, MALFORMED, 0);
      data = decrypt(ctx, eci[1], Buffer.from(body, 'latin1'), pass).toString('latin1');
    } else {
      throw notImplemented('only data and encryptedData content types are supported in authenticated safe');
    }
    bags.push(...children(parseDer(data, MALFORMED), MALFORMED));
  }
  return { bags, password: pass };
}

export interface Pkcs12Contents {
  readonly key: KeyObject;
  readonly certificate: Certificate;
  readonly caCerts: readonly Certificate[];
}

/** gopkcs12.DecodeChain on the archive's bytes (not base64). */
export function decodePkcs12(ctx: CallContext, pfxData: GoString, password: GoString): Pkcs12Contents {
  const { bags, password: pass } = safeBags(ctx, pfxData, bmpPassword(password));
  let key: KeyObject | undefined;
  let certificate: Certificate | undefined;
  const caCerts: Certificate[] = [];
  for (const bag of bags) {
    const fields = children(bag, MALFORMED);
    const id = oid(fields[0], MALFORMED);
    if (id === OID.certBag) {
      const certBag = children(explicitContent(fields[1]), MALFORMED);
      if (oid(certBag[0], MALFORMED) !== OID.x509Certificate) throw notImplemented('only X509 certificates are supported');
      const cert = parseCertificate(octets(explicitContent(certBag[1]), MALFORMED));
      if (certificate === undefined) certificate = cert;
      else caCerts.push(cert);
    } else if (id === OID.keyBag || id === OID.shroudedKeyBag) {
      if (key !== undefined) throw new Pkcs12Error('expected exactly one key bag');
      const value = explicitContent(fields[1]);
      if (id === OID.keyBag) {
        key = parsePkcs8(toDer(value!), 'x509: failed to parse private key');
      } else {
        const info = children(value, MALFORMED);
        let plain: Buffer;
        try {
          plain = decrypt(ctx, info[0], Buffer.from(octets(info[1], MALFORMED), 'latin1'), pass);
        } catch (e) {
          if (e instanceof FuncError && !(e instanceof LimitError)) throw new Pkcs12Error(`error decrypting PKCS#8 shrouded key bag: ${e.message}`);
          throw e;
        }
        key = parsePkcs8(plain.toString('latin1'), 'pkcs12: error parsing PKCS#8 private key');
      }
    }
  }
  if (certificate === undefined) throw new Pkcs12Error('certificate missing');
  if (key === undefined) throw new Pkcs12Error('private key missing');
  return { key, certificate, caCerts };
}

/** PBES2 AlgorithmIdentifier and cipher of Modern2023: PBKDF2-HMAC-SHA-256 and AES-256-CBC. */
function modernCipher(ctx: CallContext, password: Buffer): { algorithm: Der; cipher: Cbc } {
  const salt = randomBytes(MODERN_SALT_BYTES);
  const iv = randomBytes(16);
  const key = pbkdf2(ctx, utf8Password(password), salt, MODERN_ITERATIONS, 32, SHA256);
  const algorithm = seq(
    oidNode(OID.pbes2),
    seq(
      seq(oidNode(OID.pbkdf2), seq(octetString(salt.toString('latin1')), int(MODERN_ITERATIONS), seq(oidNode(OID.hmacSha256), nullNode()))),
      seq(oidNode(OID.aes256), octetString(iv.toString('latin1'))),
    ),
  );
  return { algorithm, cipher: nodeCbc('aes-256-cbc', key, iv) };
}

function certBag(cert: Certificate, attributes: Der[]): Der {
  const bag = [oidNode(OID.certBag), explicit(0, seq(oidNode(OID.x509Certificate), explicit(0, octetString(cert.raw))))];
  return seq(...bag, set(...attributes));
}

/** Modern2023's encrypted ContentInfo of certificate bags. */
function encryptedCertificates(ctx: CallContext, bags: Der[], password: Buffer): Der {
  const { algorithm, cipher } = modernCipher(ctx, password);
  const encrypted = encrypt(cipher, Buffer.from(toDer(seq(...bags)), 'latin1'));
  return seq(
    oidNode(OID.encryptedData),
    explicit(0, seq(int(0), seq(oidNode(OID.data), algorithm, implicitOctets(0, encrypted.toString('latin1'))))),
  );
}

/** The PFX around an authenticated safe, with Modern2023's SHA-256 MAC. */
function macedPfx(ctx: CallContext, contents: Der[], password: Buffer): GoString {
  const authSafe = toDer(seq(...contents));
  const macSalt = randomBytes(MODERN_SALT_BYTES);
  const macAlgorithm = seq(oidNode(OID.sha256));
  const mac = computeMac(ctx, macAlgorithm, macSalt, MODERN_ITERATIONS, Buffer.from(authSafe, 'latin1'), password);
  return toDer(seq(
    int(3),
    seq(oidNode(OID.data), explicit(0, octetString(authSafe))),
    seq(seq(macAlgorithm, octetString(mac.toString('latin1'))), octetString(macSalt.toString('latin1')), int(MODERN_ITERATIONS)),
  ));
}

/** gopkcs12.Modern.Encode: the archive's DER. */
export function encodePkcs12(ctx: CallContext, key: KeyObject, certificate: Certificate, caCerts: readonly Certificate[], password: GoString): GoString {
  const pass = bmpPassword(password);
  const localKeyId = seq(oidNode(OID.localKeyId), set(octetString(hash('sha1', Buffer.from(certificate.raw, 'latin1'), 'buffer').toString('latin1'))));
  const certs = encryptedCertificates(ctx, [certBag(certificate, [localKeyId]), ...caCerts.map((c) => certBag(c, []))], pass);

  const keyCipher = modernCipher(ctx, pass);
  const encryptedKey = encrypt(keyCipher.cipher, Buffer.from(pkcs8(key), 'latin1'));
  const keyBag = seq(
    oidNode(OID.shroudedKeyBag),
    explicit(0, seq(keyCipher.algorithm, octetString(encryptedKey.toString('latin1')))),
    set(localKeyId),
  );
  const keyInfo = seq(oidNode(OID.data), explicit(0, octetString(toDer(seq(keyBag)))));
  return macedPfx(ctx, [certs, keyInfo], pass);
}

/**
 * gopkcs12.Modern.EncodeTrustStore: certificates only, each marked trusted for any purpose the way
 * Java's keytool reads it, and named by its subject as Go prints it.
 */
export function encodeTrustStore(ctx: CallContext, certificates: readonly Certificate[], password: GoString): GoString {
  const pass = bmpPassword(password);
  const trusted = seq(oidNode(OID.javaTrustedKeyUsage), set(oidNode(OID.anyExtendedKeyUsage)));
  const bags = certificates.map((c) => {
    // node-forge writes a BMPString's value (JavaScript text) as UCS-2 itself; bmpString refuses what UCS-2 cannot hold.
    const subject = nameString(c.subject);
    bmpString(subject);
    const name = forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.BMPSTRING, false, toText(subject));
    return certBag(c, [trusted, seq(oidNode(OID.friendlyName), set(name))]);
  });
  return macedPfx(ctx, [encryptedCertificates(ctx, bags, pass)], pass);
}
