/**
 * sprig's certificate functions: buildCustomCert, genCA, genCAWithKey, genSelfSignedCert,
 * genSelfSignedCertWithKey, genSignedCert and genSignedCertWithKey. They return sprig's
 * `certificate` struct (`.Cert`, `.Key`, both PEM), with a fresh RSA-2048 key unless given one,
 * and sprig's error texts. The certificates are made by cert-create.ts as Go's x509 makes them;
 * their validity starts at the render's clock (RenderBudget.time).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { decodeBase64, STD_ENCODING } from '../base64.ts';
import { fromByteString, toByteString } from '../bytes.ts';
import { now } from '../time/time.ts';
import type { CallContext } from './budget.ts';
import { toText, type GoString } from './bytes.ts';
import { createCertificate, type Issuer } from './cert-create.ts';
import { children, parseDer, toDer, Type } from './der.ts';
import { FuncError } from './errors.ts';
import type { FuncDef } from './func-def.ts';
import { parseIP } from './ip-parse.ts';
import { decodePem, encodePem, nameableLabel } from './pem.ts';
import { GoSlice, SprigCertificate, typeName, type Evaluated } from './values.ts';
import { parseCertificate } from './x509.ts';

/** A key sprig read: one node can use, or a DSA key, which sprig reads but x509 cannot sign with. */
type PrivateKey = KeyObject | 'dsa';

function importKey(der: GoString, type: 'pkcs1' | 'pkcs8' | 'sec1', failure: string): KeyObject {
  try {
    return createPrivateKey({ key: Buffer.from(der, 'latin1'), format: 'der', type });
  } catch {
    throw new FuncError(failure);
  }
}

/** sprig's parsePrivateKeyPEM: by the PEM type, PKCS#8, RSA (PKCS#1), EC (SEC 1) or DSA. */
function parsePrivateKeyPem(pem: GoString): PrivateKey {
  const [block] = decodePem(pem);
  if (block === undefined) throw new FuncError('no PEM data in input');
  if (block.type === 'PRIVATE KEY') return importKey(block.bytes, 'pkcs8', 'decoding PEM as PKCS#8: x509: malformed PKCS#8 private key');
  // Go names the block's type; ours names only a well-known one (any other is the input's text).
  const label = nameableLabel(block);
  if (!block.type.endsWith(' PRIVATE KEY')) throw new FuncError(`no private key data in PEM block${label === undefined ? '' : ` of type ${toText(label)}`}`);
  switch (block.type.slice(0, -12)) {
    case 'RSA': return importKey(block.bytes, 'pkcs1', 'parsing RSA private key from PEM: x509: malformed private key');
    case 'EC': return importKey(block.bytes, 'sec1', 'parsing EC private key from PEM: x509: malformed private key');
    case 'DSA': {
      const fields = children(parseDer(block.bytes, 'parsing DSA private key from PEM: asn1: syntax error'), 'parsing DSA private key from PEM: asn1: structure error');
      if (fields.length < 6 || fields.some((f) => f.type !== Type.INTEGER)) throw new FuncError('parsing DSA private key from PEM: asn1: structure error');
      return 'dsa';
    }
  }
  throw new FuncError(`invalid private key type${label === undefined ? '' : ` ${toText(label)}`}`);
}

/** sprig's pemBlockForKey: PKCS#1 for RSA, SEC 1 for EC, PKCS#8 for the rest. */
function keyPem(key: KeyObject): GoString {
  switch (key.asymmetricKeyType) {
    case 'rsa': return encodePem({ type: 'RSA PRIVATE KEY', bytes: toByteString(key.export({ format: 'der', type: 'pkcs1' })) });
    case 'ec': return encodePem({ type: 'EC PRIVATE KEY', bytes: toByteString(key.export({ format: 'der', type: 'sec1' })) });
  }
  return encodePem({ type: 'PRIVATE KEY', bytes: toByteString(key.export({ format: 'der', type: 'pkcs8' })) });
}

function newRsaKey(ctx: CallContext, name: string): KeyObject {
  ctx.budget.slowCrypto(1, name);
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
}

function withKey(pem: GoString): PrivateKey {
  try {
    return parsePrivateKeyPem(pem);
  } catch (e) {
    if (e instanceof FuncError) throw new FuncError(`parsing private key: ${e.message}`);
    throw e;
  }
}

/**
 * sprig's getNetIPs and getAlternateDNSStrs: every element a string, every IP one Go's ParseIP reads.
 * Go's errors print the element; ours leave it out (an IP or a name may be secret data) and name
 * a non-string's type.
 */
function sans(ips: Evaluated, dns: Evaluated): { ips: Buffer[]; dnsNames: GoString[] } {
  const items = (v: Evaluated): readonly Evaluated[] => (v instanceof GoSlice ? v.items : []);
  const out = { ips: [] as Buffer[], dnsNames: [] as GoString[] };
  for (const ip of items(ips)) {
    if (typeof ip !== 'string') throw new FuncError(`error parsing ip: a value of type ${typeName(ip)} is not a string`);
    const bytes = parseIP(ip);
    if (bytes === undefined) throw new FuncError('error parsing ip');
    out.ips.push(bytes);
  }
  for (const name of items(dns)) {
    if (typeof name !== 'string') throw new FuncError(`error processing alternate dns name: a value of type ${typeName(name)} is not a string`);
    out.dnsNames.push(name);
  }
  return out;
}

interface Base {
  cn: GoString;
  ips: Evaluated;
  dns: Evaluated;
  days: bigint;
  isCA: boolean;
}

/** getCertAndKey over getBaseCertTemplate: the certificate and the signee's key, both PEM. */
function certificate(ctx: CallContext, base: Base, signee: PrivateKey, issuer: Issuer | undefined, signer: PrivateKey): SprigCertificate {
  const { ips, dnsNames } = sans(base.ips, base.dns);
  const start = now(ctx.budget.time).sec;
  // Go multiplies time.Duration (int64 nanoseconds), which wraps for very many days.
  const validity = BigInt.asIntN(64, base.days * 86_400_000_000_000n) / 1_000_000_000n;
  if (signee === 'dsa' || signer === 'dsa') throw new FuncError('error creating certificate: x509: only RSA, ECDSA and Ed25519 keys supported');
  const der = createCertificate({ commonName: base.cn, ips, dnsNames, notBefore: start, notAfter: start + validity, isCA: base.isCA }, createPublicKey(signee), issuer, signer);
  return new SprigCertificate(encodePem({ type: 'CERTIFICATE', bytes: der }), keyPem(signee));
}

/** The CA a signed certificate names: its certificate and key parsed as sprig does. */
function issuerOf(ca: SprigCertificate): { issuer: Issuer; key: PrivateKey } {
  const [block] = decodePem(ca.cert);
  if (block === undefined) throw new FuncError('unable to decode certificate');
  let parsed;
  try {
    parsed = parseCertificate(block.bytes);
  } catch (e) {
    if (e instanceof FuncError) throw new FuncError(`error parsing certificate: decodedSignerCert.Bytes: ${e.message}`);
    throw e;
  }
  let key: PrivateKey;
  try {
    key = parsePrivateKeyPem(ca.key);
  } catch (e) {
    if (e instanceof FuncError) throw new FuncError(`error parsing private key: ${e.message}`);
    throw e;
  }
  const publicKey = new X509Certificate(Buffer.from(block.bytes, 'latin1')).publicKey;
  return { issuer: { subject: toDer(parsed.subject), subjectKeyId: parsed.subjectKeyId, publicKey }, key };
}

function buildCustomCert(b64cert: GoString, b64key: GoString): SprigCertificate {
  const cert = decodeBase64(fromByteString(b64cert), STD_ENCODING);
  if (typeof cert === 'number') throw new FuncError('unable to decode base64 certificate');
  const key = decodeBase64(fromByteString(b64key), STD_ENCODING);
  if (typeof key === 'number') throw new FuncError('unable to decode base64 private key');
  const [block] = decodePem(toByteString(cert));
  if (block === undefined) throw new FuncError('unable to decode certificate');
  try {
    parseCertificate(block.bytes);
  } catch (e) {
    if (e instanceof FuncError) throw new FuncError(`error parsing certificate: decodedCert.Bytes: ${e.message}`);
    throw e;
  }
  try {
    parsePrivateKeyPem(toByteString(key));
  } catch (e) {
    if (e instanceof FuncError) throw new FuncError(`error parsing private key: ${e.message}`);
    throw e;
  }
  return new SprigCertificate(toByteString(cert), toByteString(key));
}

const s = 'string' as const;
const str = (v: Evaluated): GoString => v as GoString;

export const sprigCertificates: Record<string, FuncDef> = {
  buildCustomCert: { params: [s, s], call: ([c, k]) => buildCustomCert(str(c), str(k)) },
  genCA: { params: [s, 'int'], call: ([cn, days], ctx) => {
    const key = newRsaKey(ctx, 'genCA');
    return certificate(ctx, { cn: str(cn), ips: null, dns: null, days: days as bigint, isCA: true }, key, undefined, key);
  } },
  genCAWithKey: { params: [s, 'int', s], call: ([cn, days, pem], ctx) => {
    const key = withKey(str(pem));
    return certificate(ctx, { cn: str(cn), ips: null, dns: null, days: days as bigint, isCA: true }, key, undefined, key);
  } },
  genSelfSignedCert: { params: [s, 'list', 'list', 'int'], call: ([cn, ips, dns, days], ctx) => {
    const key = newRsaKey(ctx, 'genSelfSignedCert');
    return certificate(ctx, { cn: str(cn), ips, dns, days: days as bigint, isCA: false }, key, undefined, key);
  } },
  genSelfSignedCertWithKey: { params: [s, 'list', 'list', 'int', s], call: ([cn, ips, dns, days, pem], ctx) => {
    const key = withKey(str(pem));
    return certificate(ctx, { cn: str(cn), ips, dns, days: days as bigint, isCA: false }, key, undefined, key);
  } },
  genSignedCert: { params: [s, 'list', 'list', 'int', 'certificate'], call: ([cn, ips, dns, days, ca], ctx) => {
    const key = newRsaKey(ctx, 'genSignedCert');
    const { issuer, key: signer } = issuerOf(ca as SprigCertificate);
    return certificate(ctx, { cn: str(cn), ips, dns, days: days as bigint, isCA: false }, key, issuer, signer);
  } },
  genSignedCertWithKey: { params: [s, 'list', 'list', 'int', 'certificate', s], call: ([cn, ips, dns, days, ca, pem], ctx) => {
    const key = withKey(str(pem));
    const { issuer, key: signer } = issuerOf(ca as SprigCertificate);
    return certificate(ctx, { cn: str(cn), ips, dns, days: days as bigint, isCA: false }, key, issuer, signer);
  } },
};
