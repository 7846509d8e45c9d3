/**
 * ESO's jwkPublicKeyPem and jwkPrivateKeyPem (runtime/template/v2/jwk.go, over lestrrat-go/jwx):
 * a JWK as a PEM "PUBLIC KEY" (PKIX) or "PRIVATE KEY" (PKCS#8), read and written by node:crypto.
 * ESO converts the key it parsed as it is, so a private JWK given to jwkPublicKeyPem and a public
 * one given to jwkPrivateKeyPem fail, with Go's x509 messages, which are kept here.
 */
import { createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { toText, type GoString } from './bytes.ts';
import { FuncError } from './errors.ts';
import { encodePem } from './pem.ts';

type Kty = 'RSA' | 'EC' | 'OKP' | 'oct';

/** The Go type jwx gives a key of each kind, private and public, which x509's errors name. */
const goType: Record<Kty, [privateType: string, publicType: string]> = {
  RSA: ['*rsa.PrivateKey', '*rsa.PublicKey'],
  EC: ['*ecdsa.PrivateKey', '*ecdsa.PublicKey'],
  OKP: ['ed25519.PrivateKey', 'ed25519.PublicKey'],
  oct: ['[]uint8', '[]uint8'],
};

function parseJwk(text: GoString): { jwk: JsonWebKey; kty: Kty; isPrivate: boolean } {
  let jwk: unknown;
  try {
    jwk = JSON.parse(toText(text));
  } catch {
    // Not JavaScript's message: it quotes the input, which holds key material.
    throw new FuncError('failed to unmarshal JSON into key hint: invalid JSON');
  }
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw new FuncError('failed to unmarshal JSON into key hint: not a JSON object');
  const kty = (jwk as { kty?: unknown }).kty;
  const name = typeof kty === 'string' ? kty : '';
  // Go names the kty; it comes from the key's JSON, which is secret data.
  if (!(name in goType)) throw new FuncError('invalid key type from JSON');
  const isPrivate = name === 'oct' || (jwk as { d?: unknown }).d !== undefined;
  return { jwk: jwk as JsonWebKey, kty: name as Kty, isPrivate };
}

function importKey(jwk: JsonWebKey, kty: Kty, isPrivate: boolean): KeyObject {
  try {
    return isPrivate ? createPrivateKey({ key: jwk, format: 'jwk' }) : createPublicKey({ key: jwk, format: 'jwk' });
  } catch {
    throw new FuncError(`failed to parse ${kty} JWK: invalid key parameters`);
  }
}

export function jwkPublicKeyPem(text: GoString): GoString {
  const { jwk, kty, isPrivate } = parseJwk(text);
  if (isPrivate) throw new FuncError(`x509: unsupported public key type: ${goType[kty][0]}`);
  const der = importKey(jwk, kty, false).export({ format: 'der', type: 'spki' });
  return encodePem({ type: 'PUBLIC KEY', bytes: der.toString('latin1') });
}

export function jwkPrivateKeyPem(text: GoString): GoString {
  const { jwk, kty, isPrivate } = parseJwk(text);
  if (!isPrivate || kty === 'oct') throw new FuncError(`x509: unknown key type while marshaling PKCS#8: ${goType[kty][isPrivate ? 0 : 1]}`);
  const der = importKey(jwk, kty, true).export({ format: 'der', type: 'pkcs8' });
  return encodePem({ type: 'PRIVATE KEY', bytes: der.toString('latin1') });
}
