/**
 * Go's x509.CreateCertificate for the certificates sprig's genCA, genSelfSignedCert and
 * genSignedCert ask for (getBaseCertTemplate): a random 128-bit serial, the subject a lone
 * CommonName, validity from now for whole days, key usages, server and client auth, basic
 * constraints, a subject key id for CAs (SHA-256 of the key, first 160 bits, Go 1.25's
 * default), the issuer's key id, and DNS and IP SANs. Written with Go's DER choices (extension
 * order, PrintableString or UTF8String, UTCTime until 2050, the key usage bit string) so the
 * certificate reads as Go's does; serial, times, keys and signatures differ every run, as in ESO.
 */
import { createHash, createPublicKey, randomBytes, sign, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { toByteString } from '../bytes.ts';
import type { GoString } from './bytes.ts';
import { children, explicit, implicitOctets, nullNode, octetString, oidNode, parseDer, seq, set, toDer, Type, type Der } from './der.ts';
import { FuncError } from './errors.ts';

const { asn1 } = forge;
const Class = asn1.Class;

export interface CertRequest {
  commonName: GoString;
  ips: readonly Buffer[];
  dnsNames: readonly GoString[];
  /** Unix seconds; Go truncates to the second when it encodes. */
  notBefore: bigint;
  notAfter: bigint;
  isCA: boolean;
}

export interface Issuer {
  /** The issuer Name's DER (the parent certificate's subject). */
  subject: GoString;
  subjectKeyId: GoString | undefined;
  publicKey: KeyObject;
}

const prim = (type: number, bytes: GoString): Der => asn1.create(Class.UNIVERSAL, type, false, bytes);
const bool = (v: boolean): Der => prim(Type.BOOLEAN, v ? '\xff' : '\x00');

/** A non-negative INTEGER. */
function bigInteger(n: bigint): Der {
  let hex = n.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  if (parseInt(hex.slice(0, 2), 16) >= 0x80) hex = `00${hex}`;
  return prim(Type.INTEGER, Buffer.from(hex, 'hex').toString('latin1'));
}

const isPrintable = (c: number): boolean =>
  (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || (c >= 0x27 && c <= 0x29) || (c >= 0x2b && c <= 0x2f) ||
  c === 0x20 || c === 0x3a || c === 0x3d || c === 0x3f;

/** pkix.Name{CommonName: cn}: no attribute at all for "", a PrintableString where it can be, else UTF8String. */
export function subjectName(cn: GoString): GoString {
  if (cn === '') return toDer(seq());
  if (!Buffer.from(cn, 'latin1').equals(Buffer.from(Buffer.from(cn, 'latin1').toString('utf8'), 'utf8'))) {
    throw new FuncError('error creating certificate: asn1: string not valid UTF-8');
  }
  let printable = true;
  for (let i = 0; i < cn.length; i++) if (!isPrintable(cn.charCodeAt(i))) printable = false;
  const value = prim(printable ? Type.PRINTABLESTRING : Type.UTF8, cn);
  return toDer(seq(set(seq(oidNode('2.5.4.3'), value))));
}

/** encoding/asn1's time: UTCTime from 1950 to 2049, else GeneralizedTime. */
function asn1Time(unixSeconds: bigint): Der {
  const d = new Date(Number(unixSeconds) * 1000);
  if (Number.isNaN(d.getTime()) || d.getUTCFullYear() > 9999 || d.getUTCFullYear() < 0) {
    throw new FuncError('error creating certificate: asn1: cannot represent time as GeneralizedTime');
  }
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const rest = `${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  const y = d.getUTCFullYear();
  if (y >= 1950 && y < 2050) return prim(Type.UTCTIME, `${p(y % 100)}${rest}`);
  return prim(Type.GENERALIZEDTIME, `${p(y, 4)}${rest}`);
}

const extension = (id: string, critical: boolean, value: Der): Der =>
  seq(oidNode(id), ...(critical ? [bool(true)] : []), octetString(toDer(value)));

/** The signature algorithm Go picks for the signing key, and how node signs with it. */
function signingParams(key: KeyObject): { algorithm: Der; digest: string | null } {
  switch (key.asymmetricKeyType) {
    case 'rsa': return { algorithm: seq(oidNode('1.2.840.113549.1.1.11'), nullNode()), digest: 'sha256' };
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      if (curve === 'secp384r1') return { algorithm: seq(oidNode('1.2.840.10045.4.3.3')), digest: 'sha384' };
      if (curve === 'secp521r1') return { algorithm: seq(oidNode('1.2.840.10045.4.3.4')), digest: 'sha512' };
      if (curve === 'prime256v1') return { algorithm: seq(oidNode('1.2.840.10045.4.3.2')), digest: 'sha256' };
      throw new FuncError('error creating certificate: x509: unknown elliptic curve');
    }
    case 'ed25519': return { algorithm: seq(oidNode('1.3.101.112')), digest: null };
  }
  throw new FuncError('error creating certificate: x509: only RSA, ECDSA and Ed25519 keys supported');
}

/** The subjectPublicKey BIT STRING's bytes of a SubjectPublicKeyInfo. */
export function publicKeyBits(spki: GoString): GoString {
  const bits = children(parseDer(spki, 'x509: malformed public key'), 'x509: malformed public key')[1]!;
  return (bits.value as string).slice(1);
}

/** x509.CreateCertificate(rand, template, parent, subjectKey, signingKey), as DER. */
export function createCertificate(req: CertRequest, subjectKey: KeyObject, issuer: Issuer | undefined, signingKey: KeyObject): GoString {
  const { algorithm, digest } = signingParams(signingKey);
  const spki = toByteString(subjectKey.export({ format: 'der', type: 'spki' }));
  const subject = subjectName(req.commonName);
  const issuerName = issuer?.subject ?? subject;
  const authorityKeyId = issuer !== undefined && issuerName !== subject ? issuer.subjectKeyId : undefined;
  const subjectKeyId = req.isCA ? createHash('sha256').update(Buffer.from(publicKeyBits(spki), 'latin1')).digest().subarray(0, 20).toString('latin1') : undefined;
  const signerPublic = toByteString(createPublicKey(signingKey).export({ format: 'der', type: 'spki' }));
  if (issuer !== undefined && toByteString(issuer.publicKey.export({ format: 'der', type: 'spki' })) !== signerPublic) {
    throw new FuncError("error creating certificate: x509: provided PrivateKey doesn't match parent's PublicKey");
  }
  // Key usage bits, most significant first: digitalSignature (0), keyEncipherment (2), keyCertSign (5).
  const keyUsage = req.isCA ? prim(Type.BITSTRING, '\x02\xa4') : prim(Type.BITSTRING, '\x05\xa0');
  const extensions: Der[] = [
    extension('2.5.29.15', true, keyUsage),
    extension('2.5.29.37', false, seq(oidNode('1.3.6.1.5.5.7.3.1'), oidNode('1.3.6.1.5.5.7.3.2'))),
    extension('2.5.29.19', true, req.isCA ? seq(bool(true)) : seq()),
  ];
  if (subjectKeyId !== undefined) extensions.push(extension('2.5.29.14', false, octetString(subjectKeyId)));
  if (authorityKeyId !== undefined && authorityKeyId.length > 0) extensions.push(extension('2.5.29.35', false, seq(implicitOctets(0, authorityKeyId))));
  if (req.dnsNames.length > 0 || req.ips.length > 0) {
    for (const name of req.dnsNames) {
      // Go quotes the name; it may be secret data, so ours says which SAN it is instead.
      if (/[^\x00-\x7f]/.test(name)) throw new FuncError('error creating certificate: x509: a DNS name cannot be encoded as an IA5String');
    }
    const sans = [...req.dnsNames.map((n) => implicitOctets(2, n)), ...req.ips.map((ip) => implicitOctets(7, ip.toString('latin1')))];
    extensions.push(extension('2.5.29.17', subject === toDer(seq()), seq(...sans)));
  }
  const serial = BigInt(`0x${randomBytes(16).toString('hex')}`);
  const tbs = seq(
    explicit(0, bigInteger(2n)),
    bigInteger(serial),
    algorithm,
    parseDer(issuerName, 'x509: malformed issuer'),
    seq(asn1Time(req.notBefore), asn1Time(req.notAfter)),
    parseDer(subject, 'x509: malformed subject'),
    parseDer(spki, 'x509: malformed public key'),
    explicit(3, seq(...extensions)),
  );
  const tbsDer = toDer(tbs);
  const signature = sign(digest, Buffer.from(tbsDer, 'latin1'), signingKey);
  return toDer(seq(parseDer(tbsDer, 'x509: malformed certificate'), algorithm, prim(Type.BITSTRING, `\x00${signature.toString('latin1')}`)));
}
