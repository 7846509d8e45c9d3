/**
 * PKCS#12 (RFC 7292) as ESO's helpers use software.sslmate.com/src/go-pkcs12: DecodeChain, and
 * Modern.Encode (go-pkcs12's Modern2023). No npm library encodes what go-pkcs12 does (node-forge
 * leaves certificates unencrypted and MACs with SHA-1 only, PKI.js is asynchronous), so the
 * structure is assembled here on node-forge's ASN.1; the encryption is pkcs12-pbe.ts.
 *
 * Decoding follows go-pkcs12: a version 3 PFX; a MAC over the authenticated safe (SHA-1, SHA-256,
 * SHA-512 or PBMAC1), checked with the password as a NUL-terminated BMPString and, for an empty
 * password, again with no bytes; one or two contents, plain or password-encrypted
 * (pbeWithSHAAnd3-KeyTripleDES-CBC, pbeWithSHAAnd128/40BitRC2-CBC, or PBES2 with PBKDF2 and
 * AES-CBC); the first certificate bag is the certificate, later ones the CA certificates; exactly
 * one key bag. Encoding is Modern2023 (and its EncodeTrustStore): PBES2 (PBKDF2-HMAC-SHA-256,
 * AES-256-CBC, 2048 iterations, 16-byte salts) over the certificates and the key, an HMAC-SHA-256 MAC (2048 iterations), and
 * the SHA-1 of the certificate as the localKeyId of the certificate and the key.
 */
import { hash, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import type { CallContext } from './budget.ts';
import { toText, type GoString } from './bytes.ts';
import { children, explicit, implicitOctets, int, integer, octets, octetString, oid, oidNode, parseDer, primitive, seq, set, toDer, type Der } from './der.ts';
import { FuncError, LimitError } from './errors.ts';
import {
  ALGORITHM, bmpPassword, bmpString, computeMac, decrypt, encrypt, incorrectPassword, MALFORMED, modernCipher, MODERN_ITERATIONS,
  MODERN_SALT_BYTES, notImplemented, Pkcs12Error,
} from './pkcs12-pbe.ts';
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
  friendlyName: '1.2.840.113549.1.9.20',
  javaTrustedKeyUsage: '2.16.840.1.113894.746875.1.1',
  anyExtendedKeyUsage: '2.5.29.37.0',
} as const;

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
  const macAlgorithm = seq(oidNode(ALGORITHM.sha256));
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
