/**
 * sprig's crypto functions that take no certificate: encryptAES/decryptAES (AES-256-CBC with
 * PKCS#7 padding and the IV in front, sprig's own scheme), derivePassword (Master Password's
 * algorithm: scrypt, then HMAC-SHA256 picking template characters), genPrivateKey, and ESO's
 * rsaDecrypt (RSA-OAEP). Written to give sprig's bytes and its error texts, panics included
 * (text/template reports a panicking function as `error calling X: <panic>`).
 */
import { createCipheriv, createDecipheriv, createHmac, generateKeyPairSync, privateDecrypt, randomBytes, scryptSync, constants, type KeyObject } from 'node:crypto';
import { decodeBase64, STD_ENCODING } from '../base64.ts';
import { fromByteString, toByteString } from '../bytes.ts';
import type { CallContext } from './budget.ts';
import { toText, type GoString } from './bytes.ts';
import { FuncError } from './errors.ts';
import type { FuncDef } from './func-def.ts';
import { dsaPrivateKeyDer } from './dsa-key.ts';
import { decodePem, encodePem } from './pem.ts';
import { parsePrivateKey } from './x509.ts';

const bytes = (s: GoString): Buffer => Buffer.from(s, 'latin1');

/** sprig's key: the password's first 32 bytes, zero-padded (so always AES-256). */
function aesKey(password: GoString): Buffer {
  const key = Buffer.alloc(32);
  bytes(password).copy(key, 0, 0, 32);
  return key;
}

function encryptAES(ctx: CallContext, password: GoString, plaintext: GoString): GoString {
  if (plaintext === '') return '';
  const padded = (Math.floor(plaintext.length / 16) + 1) * 16;
  const b = ctx.builder();
  b.reserve(Math.ceil((16 + padded) / 3) * 4);
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', aesKey(password), iv);
  b.push(Buffer.concat([iv, cipher.update(bytes(plaintext)), cipher.final()]).toString('base64'));
  return b.toString();
}

/** sprig's decryptAES, which checks nothing: Go's panics for short, ragged or badly padded input are its errors. */
function decryptAES(password: GoString, crypt64: GoString): GoString {
  if (crypt64 === '') return '';
  const decoded = decodeBase64(fromByteString(crypt64), STD_ENCODING);
  if (typeof decoded === 'number') throw new FuncError(`illegal base64 data at input byte ${decoded}`);
  if (decoded.length < 16) {
    throw new FuncError(`runtime error: slice bounds out of range [:16] with capacity ${Math.floor(crypt64.length / 4) * 3}`);
  }
  const body = decoded.subarray(16);
  if (body.length % 16 !== 0) throw new FuncError('crypto/cipher: input not full blocks');
  if (body.length === 0) throw new FuncError('runtime error: index out of range [-1]');
  const decipher = createDecipheriv('aes-256-cbc', aesKey(password), decoded.subarray(0, 16)).setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(body), decipher.final()]);
  const end = plain.length - plain[plain.length - 1]!;
  if (end < 0) throw new FuncError(`runtime error: slice bounds out of range [:${end}]`);
  return toByteString(plain.subarray(0, end));
}

const PASSWORD_TEMPLATES: Record<string, readonly string[]> = {
  maximum: ['anoxxxxxxxxxxxxxxxxx', 'axxxxxxxxxxxxxxxxxno'],
  long: ['CvcvnoCvcvCvcv', 'CvcvCvcvnoCvcv', 'CvcvCvcvCvcvno', 'CvccnoCvcvCvcv', 'CvccCvcvnoCvcv', 'CvccCvcvCvcvno', 'CvcvnoCvccCvcv',
    'CvcvCvccnoCvcv', 'CvcvCvccCvcvno', 'CvcvnoCvcvCvcc', 'CvcvCvcvnoCvcc', 'CvcvCvcvCvccno', 'CvccnoCvccCvcv', 'CvccCvccnoCvcv',
    'CvccCvccCvcvno', 'CvcvnoCvccCvcc', 'CvcvCvccnoCvcc', 'CvcvCvccCvccno', 'CvccnoCvcvCvcc', 'CvccCvcvnoCvcc', 'CvccCvcvCvccno'],
  medium: ['CvcnoCvc', 'CvcCvcno'],
  short: ['Cvcn'],
  basic: ['aaanaaan', 'aannaaan', 'aaannaaa'],
  pin: ['nnnn'],
};

const TEMPLATE_CHARACTERS: Record<string, string> = {
  V: 'AEIOU',
  C: 'BCDFGHJKLMNPQRSTVWXYZ',
  v: 'aeiou',
  c: 'bcdfghjklmnpqrstvwxyz',
  A: 'AEIOUBCDFGHJKLMNPQRSTVWXYZ',
  a: 'AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz',
  n: '0123456789',
  o: "@&%?,=[]_:-+*$#!'^~;()/.",
  x: 'AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()',
};

const MASTER_PASSWORD_SEED = 'com.lyndir.masterpassword';

const uint32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};

function derivePassword(ctx: CallContext, counter: bigint, type: GoString, password: GoString, user: GoString, site: GoString): GoString {
  const templates = Object.hasOwn(PASSWORD_TEMPLATES, type) ? PASSWORD_TEMPLATES[type]! : undefined;
  if (templates === undefined) return `cannot find password template ${type}`;
  ctx.budget.slowCrypto(1, 'derivePassword');
  const salt = Buffer.concat([bytes(MASTER_PASSWORD_SEED), uint32(user.length), bytes(user)]);
  const key = scryptSync(bytes(password), salt, 64, { N: 32768, r: 8, p: 2, maxmem: 64 << 20 });
  const seed = createHmac('sha256', key).update(Buffer.concat([bytes(MASTER_PASSWORD_SEED), uint32(site.length), bytes(site), uint32(Number(counter))])).digest();
  const template = templates[seed[0]! % templates.length]!;
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const chars = TEMPLATE_CHARACTERS[template[i]!]!;
    out += chars[seed[i + 1]! % chars.length];
  }
  return out;
}

const pem = (type: string, der: Buffer): GoString => encodePem({ type, bytes: der.toString('latin1') });

/** sprig's genPrivateKey: a new key in the PEM sprig writes for its type, or sprig's message for an unknown type. */
function genPrivateKey(ctx: CallContext, type: GoString): GoString {
  switch (type) {
    case '':
    case 'rsa': {
      ctx.budget.slowCrypto(2, 'genPrivateKey');
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 4096 });
      return pem('RSA PRIVATE KEY', privateKey.export({ format: 'der', type: 'pkcs1' }));
    }
    case 'dsa': {
      ctx.budget.slowCrypto(2, 'genPrivateKey');
      const { privateKey } = generateKeyPairSync('dsa', { modulusLength: 2048, divisorLength: 256 });
      return pem('DSA PRIVATE KEY', dsaPrivateKeyDer(privateKey));
    }
    case 'ecdsa': {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      return pem('EC PRIVATE KEY', privateKey.export({ format: 'der', type: 'sec1' }));
    }
    case 'ed25519': {
      const { privateKey } = generateKeyPairSync('ed25519');
      return pem('PRIVATE KEY', privateKey.export({ format: 'der', type: 'pkcs8' }));
    }
  }
  return `Unknown type ${type}`;
}

const OAEP_HASHES: Record<string, string> = { SHA1: 'sha1', SHA256: 'sha256', SHA512: 'sha512' };

/** ESO's rsaDecrypt(scheme, hash, ciphertext, privateKeyPEM): RSA-OAEP with the hash for both OAEP and MGF1, or "None". */
function rsaDecrypt(scheme: GoString, hash: GoString, input: GoString, privateKeyPem: GoString): GoString {
  if (scheme === 'None') return input;
  // ESO names the scheme; it is an argument, which may come from the data, so ours does not.
  if (scheme !== 'RSA-OAEP') throw new FuncError('decryption scheme is not supported');
  const [block] = decodePem(privateKeyPem);
  if (block === undefined) throw new FuncError('failed to decode PEM block');
  let key: KeyObject;
  try {
    key = parsePrivateKey(block.bytes);
  } catch (e) {
    if (e instanceof FuncError) throw new FuncError(`could not parse private key: ${e.message}`);
    throw e;
  }
  if (key.asymmetricKeyType !== 'rsa') throw new FuncError('could not parse RSA private key');
  try {
    const out = privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: OAEP_HASHES[hash] ?? 'sha256' }, bytes(input));
    return out.toString('latin1');
  } catch {
    throw new FuncError('error decrypting data with RSA: crypto/rsa: decryption error');
  }
}

const s = 'string' as const;

export const sprigCrypto: Record<string, FuncDef> = {
  encryptAES: { params: [s, s], call: ([p, t], ctx) => encryptAES(ctx, p as GoString, t as GoString) },
  decryptAES: { params: [s, s], call: ([p, c]) => decryptAES(p as GoString, c as GoString) },
  derivePassword: { params: ['uint32', s, s, s, s], call: ([n, t, p, u, site], ctx) =>
    derivePassword(ctx, n as bigint, t as GoString, p as GoString, u as GoString, site as GoString) },
  genPrivateKey: { params: [s], call: ([t], ctx) => genPrivateKey(ctx, t as GoString) },
};

/** ESO's own helper (runtime/template/v2/decrypt.go). */
export const rsaDecryptFunction: FuncDef = {
  params: [s, s, s, s],
  call: ([scheme, hash, input, key]) => rsaDecrypt(scheme as GoString, hash as GoString, input as GoString, key as GoString),
};
