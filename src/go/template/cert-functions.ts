/**
 * ESO's certificate and JWK helpers (runtime/template/v2/template.go's function map), as template
 * functions. Their inputs and outputs are ESO's: pkcs12* read the archive's bytes (pipe base64
 * through b64dec first) and return PEM; *ToPkcs12 read PEM and return the archive in base64. Where
 * ESO dereferences a missing PEM block, Go's template reports the panic as an error, and so do we,
 * with the same text.
 */
import type { CallContext } from './budget.ts';
import type { GoString } from './bytes.ts';
import { chainPem, filterCertChain } from './cert-chain.ts';
import { certSANs } from './cert-sans.ts';
import { FuncError, LimitError } from './errors.ts';
import type { FuncDef } from './func-def.ts';
import { jwkPrivateKeyPem, jwkPublicKeyPem } from './jwk.ts';
import { decodePem, encodePem } from './pem.ts';
import { filterPEM } from './pem-filter.ts';
import { decodePkcs12, encodePkcs12, encodeTrustStore } from './pkcs12.ts';
import { parseCertificate, parsePrivateKey, pkcs8, type Certificate } from './x509.ts';

const NIL_DEREFERENCE = 'runtime error: invalid memory address or nil pointer dereference';

/** A result string, bounded as every function's is (stringBytes). */
const bounded = (ctx: CallContext, s: GoString): GoString => ctx.builder().add(s).toString();

function pkcs12key(ctx: CallContext, password: GoString, input: GoString): GoString {
  let key;
  try {
    key = decodePkcs12(ctx, input, password).key;
  } catch (e) {
    throw wrapped(e, 'unable to decode pkcs12 with password: ');
  }
  return bounded(ctx, encodePem({ type: 'PRIVATE KEY', bytes: pkcs8(key) }));
}

function pkcs12cert(ctx: CallContext, password: GoString, input: GoString): GoString {
  let contents;
  try {
    contents = decodePkcs12(ctx, input, password);
  } catch (e) {
    throw wrapped(e, 'unable to decode pkcs12 certificate with password: ');
  }
  return bounded(ctx, chainPem([contents.certificate, ...contents.caCerts]));
}

/** ESO's message prefix on a decoding error; a bound of limits.ts passes unchanged. */
function wrapped(e: unknown, prefix: string): unknown {
  if (e instanceof FuncError && !(e instanceof LimitError)) return new FuncError(prefix + e.message);
  return e;
}

/** pem.Decode's first block, or the nil dereference ESO's code then makes. */
function firstBlock(text: GoString): [GoString, GoString] {
  const [block, rest] = decodePem(text);
  if (block === undefined) throw new FuncError(NIL_DEREFERENCE);
  return [block.bytes, rest];
}

/** ESO's parseCaCerts: every block until nothing is left; a leftover that is no block dereferences nil. */
function certificatesToEnd(text: GoString): Certificate[] {
  const certs: Certificate[] = [];
  for (let rest = text; rest.length > 0; ) {
    const [der, next] = firstBlock(rest);
    certs.push(parseCertificate(der));
    rest = next;
  }
  return certs;
}

function toPkcs12(ctx: CallContext, certificate: Certificate, keyPem: GoString, caCerts: Certificate[], password: GoString): GoString {
  const key = parsePrivateKey(firstBlock(keyPem)[0]);
  return bounded(ctx, Buffer.from(encodePkcs12(ctx, key, certificate, caCerts, password), 'latin1').toString('base64'));
}

function truststoreToPkcs12(ctx: CallContext, certs: GoString, password: GoString): GoString {
  return bounded(ctx, Buffer.from(encodeTrustStore(ctx, certificatesToEnd(certs), password), 'latin1').toString('base64'));
}

function pemToPkcs12(ctx: CallContext, cert: GoString, key: GoString, password: GoString): GoString {
  return toPkcs12(ctx, parseCertificate(firstBlock(cert)[0]), key, [], password);
}

function fullPemToPkcs12(ctx: CallContext, cert: GoString, key: GoString, password: GoString): GoString {
  const [der, rest] = firstBlock(cert);
  const certificate = parseCertificate(der);
  return toPkcs12(ctx, certificate, key, certificatesToEnd(rest), password);
}

const s = 'string' as const;
const str = (a: unknown): GoString => a as GoString;

export const certFunctions: Record<string, FuncDef> = {
  pkcs12key: { params: [s], call: ([input], ctx) => pkcs12key(ctx, '', str(input)) },
  pkcs12keyPass: { params: [s, s], call: ([pass, input], ctx) => pkcs12key(ctx, str(pass), str(input)) },
  pkcs12cert: { params: [s], call: ([input], ctx) => pkcs12cert(ctx, '', str(input)) },
  pkcs12certPass: { params: [s, s], call: ([pass, input], ctx) => pkcs12cert(ctx, str(pass), str(input)) },
  pemToPkcs12: { params: [s, s], call: ([c, k], ctx) => pemToPkcs12(ctx, str(c), str(k), '') },
  pemToPkcs12Pass: { params: [s, s, s], call: ([c, k, p], ctx) => pemToPkcs12(ctx, str(c), str(k), str(p)) },
  fullPemToPkcs12: { params: [s, s], call: ([c, k], ctx) => fullPemToPkcs12(ctx, str(c), str(k), '') },
  fullPemToPkcs12Pass: { params: [s, s, s], call: ([c, k, p], ctx) => fullPemToPkcs12(ctx, str(c), str(k), str(p)) },
  pemTruststoreToPKCS12: { params: [s], call: ([c], ctx) => truststoreToPkcs12(ctx, str(c), '') },
  pemTruststoreToPKCS12Pass: { params: [s, s], call: ([c, p], ctx) => truststoreToPkcs12(ctx, str(c), str(p)) },
  filterPEM: { params: [s, s], call: ([type, input], ctx) => bounded(ctx, filterPEM(str(type), str(input))) },
  filterCertChain: { params: [s, s], call: ([type, input], ctx) => bounded(ctx, filterCertChain(str(type), str(input))) },
  certSANs: { params: [s], call: ([input], ctx) => certSANs(ctx, str(input)) },
  jwkPublicKeyPem: { params: [s], call: ([jwk], ctx) => bounded(ctx, jwkPublicKeyPem(str(jwk))) },
  jwkPrivateKeyPem: { params: [s], call: ([jwk], ctx) => bounded(ctx, jwkPrivateKeyPem(str(jwk))) },
};


