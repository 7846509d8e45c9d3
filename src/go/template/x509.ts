/**
 * What ESO's certificate helpers need of Go's crypto/x509, from node:crypto: a certificate checked
 * by parsing (X509Certificate) with the key ids that chain ordering compares, and private keys
 * read as ESO's helpers read them (PKCS#1, then PKCS#8, then SEC 1) and written as PKCS#8 DER.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import type { GoString } from './bytes.ts';
import { children, octets, oid, parseDer, primitive, Type, type Der } from './der.ts';
import { FuncError } from './errors.ts';

export interface Certificate {
  /** The DER, as given. */
  readonly raw: GoString;
  /** Go's SubjectKeyId: undefined when the extension is absent. */
  readonly subjectKeyId: GoString | undefined;
  /** Go's AuthorityKeyId (its keyIdentifier): undefined when absent. */
  readonly authorityKeyId: GoString | undefined;
  /** The subjectAltName extension's value (DER), when present. */
  readonly subjectAltName: GoString | undefined;
  /** The subject Name, as parsed DER. */
  readonly subject: Der;
}

const MALFORMED = 'x509: malformed certificate';
const OID_SUBJECT_KEY_ID = '2.5.29.14';
const OID_AUTHORITY_KEY_ID = '2.5.29.35';
const OID_SUBJECT_ALT_NAME = '2.5.29.17';

/** Go's bytes.Equal on key ids: an absent id equals an empty one. */
export const sameKeyId = (a: GoString | undefined, b: GoString | undefined): boolean => (a ?? '') === (b ?? '');

/** x509.ParseCertificate: the DER must be one certificate node can read. */
export function parseCertificate(der: GoString): Certificate {
  try {
    new X509Certificate(Buffer.from(der, 'latin1'));
  } catch {
    throw new FuncError(MALFORMED);
  }
  const tbs = children(children(parseDer(der, MALFORMED), MALFORMED)[0], MALFORMED);
  const extensions = tbs.find((n) => n.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC && n.type === 3);
  let subjectKeyId: GoString | undefined;
  let authorityKeyId: GoString | undefined;
  let subjectAltName: GoString | undefined;
  if (extensions !== undefined) {
    for (const ext of children(children(extensions, MALFORMED, 3)[0], MALFORMED)) {
      const fields = children(ext, MALFORMED);
      const id = oid(fields[0], MALFORMED);
      const value = octets(fields[fields.length - 1], MALFORMED);
      if (id === OID_SUBJECT_ALT_NAME) subjectAltName = value;
      if (id === OID_SUBJECT_KEY_ID) subjectKeyId = octets(parseDer(value, MALFORMED), MALFORMED);
      if (id === OID_AUTHORITY_KEY_ID) {
        const keyId = children(parseDer(value, MALFORMED), MALFORMED).find((n) => n.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC && n.type === 0);
        if (keyId !== undefined) authorityKeyId = primitive(keyId, Type.OCTETSTRING, MALFORMED, 0);
      }
    }
  }
    const hasVersion = tbs[0]?.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC;
  const subject = tbs[hasVersion ? 5 : 4];
  if (subject === undefined) throw new FuncError(MALFORMED);
  return { raw: der, subjectKeyId, authorityKeyId, subjectAltName, subject };
}

/** ESO's parsePrivateKey: PKCS#1, PKCS#8 or SEC 1 DER. */
export function parsePrivateKey(der: GoString): KeyObject {
  const key = Buffer.from(der, 'latin1');
  for (const type of ['pkcs1', 'pkcs8', 'sec1'] as const) {
    try {
      return createPrivateKey({ key, format: 'der', type });
    } catch {
      // try the next encoding, as ESO does
    }
  }
  throw new FuncError('unable to parse private key type');
}

/** x509.ParsePKCS8PrivateKey. */
export function parsePkcs8(der: GoString, failure: string): KeyObject {
  try {
    return createPrivateKey({ key: Buffer.from(der, 'latin1'), format: 'der', type: 'pkcs8' });
  } catch {
    throw new FuncError(failure);
  }
}

/** x509.MarshalPKCS8PrivateKey. */
export const pkcs8 = (key: KeyObject): GoString => key.export({ format: 'der', type: 'pkcs8' }).toString('latin1');
