import { constants, createHash, createPublicKey, generateKeyPairSync, publicEncrypt, X509Certificate } from 'node:crypto';
import bcryptjs from 'bcryptjs';
import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import { RenderBudget, TemplateError, templateLimits } from '../../src/go/template/index.ts';
import type { TimeSource } from '../../src/go/time/time.ts';
import { expectGoError, isRandomOrCrypto } from './template-sprig2-families.ts';
import { renderWith } from '../helpers/template-budget.ts';
import { sprig2Vectors } from './template-sprig2-vectors.ts';

/**
 * sprig's random and crypto functions, and ESO's rsaDecrypt. Against Go's outputs where they are
 * deterministic (template-sprig2-vectors.ts: lengths, round trips, derivePassword, decryptAES of
 * fixed ciphertexts, errors); by their properties where they are random.
 */
const bcryptPasswords: Record<string, string> = {
  'bcrypt of a password': 'correct horse',
  'bcrypt of UTF-8': 'pässwörd',
  htpasswd: 'pw',
};

const PEM_BLOCK = /-----BEGIN ([A-Z ]+)-----\n[^-]*-----END \1-----\n/g;

/** The text around the PEM blocks. */
const outside = (text: string): string => text.replace(PEM_BLOCK, '<pem>');

const hex = (n: forge.asn1.Asn1): string => Buffer.from(forge.asn1.toDer(n).getBytes(), 'latin1').toString('hex');
const kids = (n: forge.asn1.Asn1): forge.asn1.Asn1[] => n.value as forge.asn1.Asn1[];
const SKID = '551d0e';
const AKID = '551d23';

/**
 * What must be alike in Go's certificates and ours: every field but the serial, the times (their
 * encoding and the span between them kept), the key and the signature; the key ids by how they
 * are derived (SKID the first 20 bytes of SHA-256 of the key, AKID the issuer's SKID). Keys as
 * their PEM type, or exactly where the template gave the key.
 */
function shapes(text: string): unknown[] {
  const out: unknown[] = [];
  const skids: string[] = [];
  for (const m of text.matchAll(PEM_BLOCK)) {
    const der = Buffer.from(m[0].split('\n').slice(1, -2).join(''), 'base64');
    if (m[1] !== 'CERTIFICATE') {
      out.push(m[1]);
      continue;
    }
    const [tbs, sigAlg] = kids(forge.asn1.fromDer(der.toString('latin1')));
    const f = kids(tbs!);
    const [notBefore, notAfter] = kids(f[4]!);
    const seconds = (n: forge.asn1.Asn1): number => (n.type === forge.asn1.Type.UTCTIME ? forge.asn1.utcTimeToDate(n.value as string) : forge.asn1.generalizedTimeToDate(n.value as string)).getTime() / 1000;
    const spki = kids(f[6]!);
    const bits = Buffer.from((spki[1]!.value as string).slice(1), 'latin1');
    const keyId = createHash('sha256').update(bits).digest().subarray(0, 20).toString('hex');
    const extensions = kids(kids(f[7]!)[0]!).map((e) => {
      const parts = kids(e);
      const id = Buffer.from(parts[0]!.value as string, 'latin1').toString('hex');
      const value = Buffer.from(parts[parts.length - 1]!.value as string, 'latin1').toString('hex');
      const critical = parts.length === 3;
      if (id === SKID) {
        skids.push(value);
        return [id, critical, value === `0414${keyId}` ? 'sha256 key id' : 'other key id'];
      }
      if (id === AKID) return [id, critical, skids.some((k) => value === `30168014${k.slice(4)}`) ? "issuer's key id" : 'other key id'];
      return [id, critical, value];
    });
    out.push({
      version: hex(f[0]!), serialBytes: (f[1]!.value as string).length <= 17, signature: hex(f[2]!), issuer: hex(f[3]!),
      validity: [notBefore!.type, notAfter!.type, seconds(notAfter!) - seconds(notBefore!)], subject: hex(f[5]!),
      keyAlgorithm: hex(spki[0]!), extensions, outerSignature: hex(sigAlg!),
    });
  }
  return out;
}

const render = (template: string, data: Record<string, string> = {}, budget = new RenderBudget()): string => renderWith(budget, template, data);

describe('sprig random and crypto functions against Go', () => {
  for (const v of sprig2Vectors.filter((x) => isRandomOrCrypto(x.name))) {
    it(v.name, () => {
      if (v.goError !== undefined) {
        expectGoError(v.name, v.goError, () => render(v.template, v.data));
        return;
      }
      if (v.want!.includes('-----BEGIN CERTIFICATE-----')) {
        // New keys, serials and times every run: the certificates must have Go's structure.
        const ours = render(v.template, v.data);
        expect(outside(ours)).toBe(outside(v.want!));
        expect(shapes(ours)).toEqual(shapes(v.want!));
        return;
      }
      const goHash = /\$2a\$10\$.{53}$/.exec(v.want!)?.[0];
      if (goHash !== undefined) {
        // Random salts: Go's hash must verify with the password, ours must too, and look alike.
        const password = bcryptPasswords[v.name]!;
        const ours = render(v.template, v.data);
        expect(ours).toMatch(new RegExp(`^${v.want!.slice(0, -goHash.length).replace(/[$]/g, '\\$')}\\$2a\\$10\\$[./A-Za-z0-9]{53}$`));
        expect(bcryptjs.compareSync(password, goHash)).toBe(true);
        expect(bcryptjs.compareSync(password, ours.slice(-60))).toBe(true);
        expect(bcryptjs.compareSync(`${password}x`, ours.slice(-60))).toBe(false);
        return;
      }
      expect(render(v.template, v.data)).toBe(v.want);
    });
  }
});

describe('random values', () => {
  it.each([
    ['randAlphaNum', /^[A-Za-z0-9]{200}$/],
    ['randAlpha', /^[A-Za-z]{200}$/],
    ['randNumeric', /^[0-9]{200}$/],
    ['randAscii', /^[\x20-\x7e]{200}$/],
  ])('%s draws from its characters, all of them', (f, shape) => {
    const out = render(`{{ ${f} 200 }}`);
    expect(out).toMatch(shape);
    expect(render(`{{ ${f} 200 }}`)).not.toBe(out);
    const seen = new Set(render(`{{ ${f} 20000 }}`));
    expect(seen.size).toBe(f === 'randAlphaNum' ? 62 : f === 'randAlpha' ? 52 : f === 'randNumeric' ? 10 : 95);
  });

  it('randInt stays in [min, max) and reaches both ends', () => {
    const seen = new Set(render('{{ range until 2000 }}{{ randInt -2 3 }},{{ end }}'.replace('until 2000', 'list 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50')).split(',').filter((x) => x !== ''));
    expect([...seen].sort()).toEqual(['-1', '-2', '0', '1', '2']);
  });

  it('randInt takes ranges past 2^53, and fails as Go does when max-min overflows int64', () => {
    const n = BigInt(render('{{ randInt -4611686018427387904 4611686018427387903 }}'));
    expect(n >= -4611686018427387904n && n < 4611686018427387903n).toBe(true);
    expect(() => render('{{ randInt -9223372036854775807 9223372036854775807 }}')).toThrow('error calling randInt: invalid argument to Intn');
  });

  it('randBytes is base64 of the bytes asked for', () => {
    const out = render('{{ randBytes 33 }}');
    expect(Buffer.from(out, 'base64')).toHaveLength(33);
    expect(Buffer.from(out, 'base64').toString('base64')).toBe(out);
  });

  it('shuffle keeps the runes and changes their order', () => {
    const text = 'abcdefghijklmnopqrstuvwxyzé€😀';
    const out = render(`{{ shuffle "${text}" }}`);
    expect([...out].sort()).toEqual([...text].sort());
    expect([render(`{{ shuffle "${text}" }}`), render(`{{ shuffle "${text}" }}`)]).not.toEqual([text, text]);
  });

  it('uuidv4 is a version 4 UUID, new each time', () => {
    const out = render('{{ uuidv4 }}');
    expect(out).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(render('{{ uuidv4 }}')).not.toBe(out);
  });

  it('encryptAES uses a new IV each time', () => {
    expect(render('{{ encryptAES "k" "x" }}')).not.toBe(render('{{ encryptAES "k" "x" }}'));
  });
});

describe('generated keys', () => {
  const keyOf = (pem: string, type: string): void => {
    expect(pem).toMatch(new RegExp(`^-----BEGIN ${type}-----\\n([A-Za-z0-9+/=]{1,64}\\n)+-----END ${type}-----\\n$`));
  };

  it('genPrivateKey writes each type as sprig does', () => {
    keyOf(render('{{ genPrivateKey "ecdsa" }}'), 'EC PRIVATE KEY');
    keyOf(render('{{ genPrivateKey "ed25519" }}'), 'PRIVATE KEY');
    const rsa = render('{{ genPrivateKey "rsa" }}');
    keyOf(rsa, 'RSA PRIVATE KEY');
    const sealed = publicEncrypt({ key: createPublicKey(rsa), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, Buffer.from('hi'));
    expect(render('{{ rsaDecrypt "RSA-OAEP" "SHA256" (b64dec .c) .k }}', { k: rsa, c: sealed.toString('base64') })).toBe('hi');
    expect(createPublicKey(rsa).asymmetricKeyDetails?.modulusLength).toBe(4096);
  });

  it('genPrivateKey dsa writes P, Q, G, Y, X with Y = G^X mod P', () => {
    const pem = render('{{ genPrivateKey "dsa" }}');
    keyOf(pem, 'DSA PRIVATE KEY');
    const der = Buffer.from(pem.split('\n').slice(1, -2).join(''), 'base64');
    const ints = (forge.asn1.fromDer(der.toString('latin1')).value as forge.asn1.Asn1[]).map((n) => BigInt(`0x${Buffer.from(n.value as string, 'latin1').toString('hex') || '0'}`));
    const [version, p, q, g, y, x] = ints as [bigint, bigint, bigint, bigint, bigint, bigint];
    expect(ints).toHaveLength(6);
    expect(version).toBe(0n);
    expect(p.toString(2)).toHaveLength(2048);
    expect(q.toString(2)).toHaveLength(256);
    let r = 1n;
    for (let b = g, e = x; e > 0n; e >>= 1n, b = (b * b) % p) if (e & 1n) r = (r * b) % p;
    expect(r).toBe(y);
  });
});

describe('rsaDecrypt (ESO)', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pkcs1 = privateKey.export({ format: 'pem', type: 'pkcs1' }).toString();
  const pkcs8 = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const encrypt = (text: string, hash: string): string =>
    publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, Buffer.from(text)).toString('base64');

  it.each([['SHA1', 'sha1'], ['SHA256', 'sha256'], ['SHA512', 'sha512'], ['None', 'sha256'], ['MD5', 'sha256']])('decrypts RSA-OAEP with hash %s', (name, hash) => {
    expect(render(`{{ rsaDecrypt "RSA-OAEP" "${name}" (b64dec .c) .k }}`, { c: encrypt('s3cret', hash), k: pkcs1 })).toBe('s3cret');
    expect(render(`{{ rsaDecrypt "RSA-OAEP" "${name}" (b64dec .c) .k }}`, { c: encrypt('s3cret', hash), k: pkcs8 })).toBe('s3cret');
  });

  it('returns the input for scheme None, and refuses other schemes', () => {
    expect(render('{{ rsaDecrypt "None" "x" "plain" "no key" }}')).toBe('plain');
    expect(() => render('{{ rsaDecrypt "RSA-PKCS1" "SHA1" "x" "k" }}')).toThrow(/error calling rsaDecrypt: decryption scheme is not supported$/);
  });

  it("fails with ESO's messages, never the key or the data", () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(() => render('{{ rsaDecrypt "RSA-OAEP" "SHA1" "x" "not a pem" }}')).toThrow('error calling rsaDecrypt: failed to decode PEM block');
    expect(() => render('{{ rsaDecrypt "RSA-OAEP" "SHA1" "x" .k }}', { k: '-----BEGIN X-----\nAAAA\n-----END X-----\n' }))
      .toThrow('error calling rsaDecrypt: could not parse private key: unable to parse private key type');
    expect(() => render('{{ rsaDecrypt "RSA-OAEP" "SHA1" "x" .k }}', { k: ec })).toThrow('error calling rsaDecrypt: could not parse RSA private key');
    expect(() => render('{{ rsaDecrypt "RSA-OAEP" "SHA1" (b64dec .c) .k }}', { c: encrypt('s3cret', 'sha256'), k: pkcs1 }))
      .toThrow(/error calling rsaDecrypt: error decrypting data with RSA: crypto\/rsa: decryption error$/);
  });
});

describe('bounds', () => {
  it('a random string past the string bound fails before it is made', () => {
    const budget = new RenderBudget();
    expect(() => render('{{ randAlphaNum 1000000000 }}', {}, budget)).toThrow(/limit/);
    expect(budget.work).toBeLessThan(1000);
    expect(() => render('{{ randBytes 1000000000 }}', {}, new RenderBudget())).toThrow(/limit/);
  });

  it('random strings charge the work they make', () => {
    const budget = new RenderBudget();
    render('{{ randAscii 100000 }}', {}, budget);
    expect(budget.work).toBeGreaterThanOrEqual(100000);
  });

  it(`slow cryptography stops at ${templateLimits.slowCryptoUnits} units per budget, before it runs`, () => {
    const budget = new RenderBudget();
    render('{{ derivePassword 1 "pin" "p" "u" "s" }}{{ derivePassword 2 "pin" "p" "u" "s" }}{{ genPrivateKey "rsa" | len }}', {}, budget);
    expect(() => render('{{ genPrivateKey "dsa" }}', {}, budget)).toThrow(/genPrivateKey would pass the limit of 4 units of slow cryptography/);
    expect(() => render('{{ derivePassword 1 "pin" "p" "u" "s" }}', {}, budget)).toThrow(TemplateError);
  });

  it('cheap keys and unknown types spend nothing: two RSA keys (all 4 units) still fit after them', () => {
    const budget = new RenderBudget();
    render('{{ range list 1 2 3 4 5 6 }}{{ genPrivateKey "ecdsa" | len }}{{ genPrivateKey "ed25519" | len }}{{ derivePassword 1 "nope" "p" "u" "s" }}{{ end }}', {}, budget);
    render('{{ genPrivateKey "rsa" | len }}{{ genPrivateKey "rsa" | len }}', {}, budget);
  });
});

describe('generated certificates', () => {
  /** A clock at 2031-01-02T03:04:05.5Z. */
  const fixed: TimeSource = { now: () => ({ unixNanos: 1_925_089_445_500_000_000n, monoNanos: 1n }) };

  it('are valid from the render clock (to the second) for the days asked, and a leaf verifies with its CA', () => {
    const out = render('{{ $ca := genCA "ca" 10 }}{{ $leaf := genSignedCert "leaf" nil (list "leaf.example") 3 $ca }}{{ $ca.Cert }}{{ $leaf.Cert }}', {}, new RenderBudget({ time: fixed }));
    const [ca, leaf] = out.match(/-----BEGIN CERTIFICATE-----\n[^-]*-----END CERTIFICATE-----\n/g)!.map((p) => new X509Certificate(p));
    expect(ca!.validFromDate.toISOString()).toBe('2031-01-02T03:04:05.000Z');
    expect(ca!.validToDate.toISOString()).toBe('2031-01-12T03:04:05.000Z');
    expect(leaf!.validToDate.toISOString()).toBe('2031-01-05T03:04:05.000Z');
    expect(ca!.ca).toBe(true);
    expect(leaf!.ca).toBe(false);
    expect(leaf!.checkIssued(ca!)).toBe(true);
    expect(leaf!.verify(ca!.publicKey)).toBe(true);
    expect(leaf!.subjectAltName).toBe('DNS:leaf.example');
  });

  it('each new RSA key spends a unit of slow cryptography; given keys spend none', () => {
    const budget = new RenderBudget();
    render('{{ $a := genCA "a" 1 }}{{ $b := genSelfSignedCert "b" nil nil 1 }}{{ $c := genCA "c" 1 }}{{ $d := genCA "d" 1 }}', {}, budget);
    expect(() => render('{{ genCA "e" 1 }}', {}, budget)).toThrow(/genCA would pass the limit of 4 units/);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'sec1' }).toString();
    expect(render('{{ $ca := genCAWithKey "f" 1 .k }}{{ $leaf := genSignedCertWithKey "g" nil nil 1 $ca .k }}{{ $leaf.Key | eq .k }}', { k: ec }, budget)).toBe('true');
  });
});
