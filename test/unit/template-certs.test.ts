import { createDecipheriv, pbkdf2Sync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import { parseTemplate, RenderBudget, renderTemplate, TemplateError, templateLimits } from '../../src/go/template/index.ts';

/**
 * ESO's certificate and JWK helpers against the outputs of ESO's Go code for the same inputs:
 * test/data/template-certs/vectors.json, made by tools/template-vectors (its note says how).
 * PKCS#12 archives are random (salts, IVs), so encoders are checked by decoding: Go's archives
 * with ours, ours with ours and, once, with Go's (ours-decoded-by-go.json), and ours must have
 * the structure of go-pkcs12's Modern encoder, node for node.
 */

interface VectorCase {
  name: string;
  template: string;
  data: Record<string, string>;
  want?: string;
  error?: string;
}

const dir = new URL('../data/template-certs/', import.meta.url);
const vectors = JSON.parse(readFileSync(new URL('vectors.json', dir), 'utf8')) as { inputs: Record<string, string>; cases: VectorCase[] };
const fromB64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));
const text = (s: string): string => Buffer.from(s, 'base64').toString('latin1');
const input = (name: string): string => text(vectors.inputs[name]!);

function render(template: string, data: Record<string, Uint8Array | string>, budget = new RenderBudget()): string {
  const bytes = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, typeof v === 'string' ? new Uint8Array(Buffer.from(v, 'latin1')) : v]));
  return Buffer.from(renderTemplate(parseTemplate('t', template, budget), bytes, budget)).toString('latin1');
}

const renderCase = (c: VectorCase): string => render(c.template, Object.fromEntries(Object.entries(c.data).map(([k, v]) => [k, fromB64(v)])));

/** Go's "error calling f: reason" without text/template's position, which our engine words its own way. */
const goReason = (error: string): string => error.slice(error.indexOf('error calling '));

/**
 * Where our error text differs from Go's on purpose: Go's asn1 and x509 parsers and jwx's JSON
 * decoder describe malformed input in their own words, which we do not reproduce; and where
 * Go quotes part of the input, which may be secret data.
 */
const differentReasons: Record<string, string> = {
  'filterCertChain not a certificate': 'error calling filterCertChain: x509: malformed certificate',
  'pkcs12key not a pfx': 'error calling pkcs12key: unable to decode pkcs12 with password: pkcs12: error reading P12 data: malformed DER',
  'pkcs12cert not a pfx': 'error calling pkcs12cert: unable to decode pkcs12 certificate with password: pkcs12: error reading P12 data: malformed DER',
  'pemToPkcs12 certificate is a key': 'error calling pemToPkcs12: x509: malformed certificate',
  'pemTruststoreToPKCS12 not a certificate': 'error calling pemTruststoreToPKCS12: x509: malformed certificate',
  'certSANs not a certificate': 'error calling certSANs: failed to parse certificate: x509: malformed certificate',
  'jwkPublicKeyPem not-json.jwk': 'error calling jwkPublicKeyPem: failed to unmarshal JSON into key hint: invalid JSON',
  'jwkPrivateKeyPem not-json.jwk': 'error calling jwkPrivateKeyPem: failed to unmarshal JSON into key hint: invalid JSON',
  // jwx names the kty it read, which is part of the key's JSON (secret data): we leave it out.
  'jwkPublicKeyPem unknown-kty.jwk': 'error calling jwkPublicKeyPem: invalid key type from JSON',
  'jwkPrivateKeyPem unknown-kty.jwk': 'error calling jwkPrivateKeyPem: invalid key type from JSON',
  'jwkPublicKeyPem no-kty.jwk': 'error calling jwkPublicKeyPem: invalid key type from JSON',
  'jwkPrivateKeyPem no-kty.jwk': 'error calling jwkPrivateKeyPem: invalid key type from JSON',
};

const isEncoder = (c: VectorCase): boolean => /^(pemToPkcs12|fullPemToPkcs12|pemTruststoreToPKCS12)/.test(c.name) && c.want !== undefined;
/** ESO's pemToPkcs12 family (a key and certificates), not the trust stores. */
const isKeyEncoder = (c: VectorCase): boolean => isEncoder(c) && !c.name.startsWith('pemTruststoreToPKCS12');
const isTruststore = (c: VectorCase): boolean => c.name.startsWith('pemTruststoreToPKCS12');

describe('certificate helpers give the bytes and errors of ESO (Go) for the same input', () => {
  for (const c of vectors.cases.filter((c) => !isEncoder(c))) {
    it(c.name, () => {
      if (c.error !== undefined) {
        let caught: unknown;
        try {
          renderCase(c);
        } catch (e) {
          caught = e;
        }
        expect(caught).toBeInstanceOf(TemplateError);
        const message = (caught as TemplateError).message;
        // Ours is the whole reason (nothing quoted after it); Go's may be followed by nothing either.
        if (c.name in differentReasons) expect(message.slice(message.indexOf('error calling '))).toBe(differentReasons[c.name]);
        else expect(message).toContain(goReason(c.error));
        return;
      }
      expect(renderCase(c)).toBe(text(c.want!));
    });
  }
});

/** The password each encoder case used, from its template. */
const passwordOf = (c: VectorCase): string => /"([^"]*)" }}$/.exec(c.template)?.[1] ?? '';

/** What pkcs12keyPass and pkcs12certPass give for an archive (raw bytes). */
function decoded(pfx: string, password: string): { key: string; cert: string } {
  const data = { p: pfx, pass: password };
  return { key: render('{{ pkcs12keyPass .pass .p }}', data), cert: render('{{ pkcs12certPass .pass .p }}', data) };
}

/** The key and certificates an encoder case was given, as pkcs12key and pkcs12cert would return them. */
function expectedContents(c: VectorCase): { key: string; cert: string } {
  const key = render('{{ .k | filterPEM "PRIVATE KEY" }}', { k: text(c.data['k']!) });
  const keyPem = key !== '' ? key : null;
  // Go's MarshalPKCS8PrivateKey of the input key: the PKCS#8 inputs are that already; the others
  // hold the key of an archive whose decoding the exact vectors above check.
  const byKey: Record<string, string> = {
    'leaf-pkcs1.key': input('leaf-pkcs8.key'),
    'ec-leaf-sec1.key': text(vectors.cases.find((v) => v.name === 'pkcs12key modern-nopass.pfx')!.want!),
  };
  const keyName = Object.keys(vectors.inputs).find((n) => vectors.inputs[n] === c.data['k']);
  const certs = render('{{ .c | filterPEM "CERTIFICATE" }}', { c: text(c.data['c']!) });
  const full = c.name.startsWith('full');
  const firstCert = certs.slice(0, certs.indexOf('-----END CERTIFICATE-----\n') + 26);
  return { key: byKey[keyName!] ?? keyPem!, cert: full ? certs : firstCert };
}

/** The archive's DER tree with random bytes (salts, IVs, ciphertexts, MACs) replaced by their length. */
function shape(der: string): unknown {
  const walk = (n: forge.asn1.Asn1): unknown => {
    if (Array.isArray(n.value)) return { c: n.tagClass, t: n.type, v: n.value.map(walk) };
    const value = n.type === forge.asn1.Type.OCTETSTRING || (n.tagClass !== 0 && !n.constructed) ? `${(n.value as string).length} bytes` : n.value;
    return { c: n.tagClass, t: n.type, v: n.type === forge.asn1.Type.OID ? forge.asn1.derToOid(n.value as string) : value };
  };
  const tree = walk(forge.asn1.fromDer(der));
  // The plain contents (data) hold DER themselves: walk into them too.
  return JSON.stringify(tree);
}

/** The authenticated safe's ContentInfos, with the key bag's SafeContents opened. */
function shapeDeep(pfxDer: string): unknown {
  const pfx = forge.asn1.fromDer(pfxDer);
  const authSafe = ((pfx.value as forge.asn1.Asn1[])[1]!.value as forge.asn1.Asn1[])[1]!;
  const inner = (authSafe.value as forge.asn1.Asn1[])[0]!.value as string;
  const infos = forge.asn1.fromDer(inner).value as forge.asn1.Asn1[];
  const keyContents = ((infos[1]!.value as forge.asn1.Asn1[])[1]!.value as forge.asn1.Asn1[])[0]!.value as string;
  return { pfx: shape(pfxDer), infos: shape(inner), keyBag: shape(keyContents) };
}

/** The archive an encoder case's Go output holds (the output is base64 of it). */
const goArchive = (c: VectorCase): string => Buffer.from(text(c.want!), 'base64').toString('latin1');

describe('PKCS#12 encoders match go-pkcs12 Modern', () => {
  for (const c of vectors.cases.filter(isKeyEncoder)) {
    const password = passwordOf(c);
    it(`${c.name}: Go's archive decodes with ours to the input`, () => {
      expect(decoded(goArchive(c), password)).toEqual(expectedContents(c));
    });
    it(`${c.name}: ours decodes with ours to the input, and has the structure of Go's`, () => {
      const ours = Buffer.from(renderCase(c), 'base64').toString('latin1');
      expect(decoded(ours, password)).toEqual(expectedContents(c));
      expect(shapeDeep(ours)).toEqual(shapeDeep(goArchive(c)));
    });
  }
});

const children = (n: forge.asn1.Asn1): forge.asn1.Asn1[] => n.value as forge.asn1.Asn1[];

/**
 * The certificate bags of an archive: its first ContentInfo, encrypted with PBES2 (PBKDF2-HMAC-SHA-256,
 * AES-256-CBC) as go-pkcs12's Modern encrypts it, decrypted here with node:crypto alone.
 */
function certificateBags(pfxDer: string, password: string): string {
  const authSafe = children(children(forge.asn1.fromDer(pfxDer))[1]!)[1]!;
  const first = children(forge.asn1.fromDer(children(authSafe)[0]!.value as string))[0]!;
  const eci = children(children(children(first)[1]!)[0]!)[1]!;
  const [, algorithm, body] = children(eci);
  const [kdf, scheme] = children(children(algorithm!)[1]!);
  const [salt, iterations] = children(children(kdf!)[1]!);
  const key = pbkdf2Sync(Buffer.from(password), Buffer.from(salt!.value as string, 'latin1'), forge.asn1.derToInteger(iterations!.value as string), 32, 'sha256');
  const decipher = createDecipheriv('aes-256-cbc', key, Buffer.from(children(scheme!)[1]!.value as string, 'latin1'));
  return Buffer.concat([decipher.update(Buffer.from(body!.value as string, 'latin1')), decipher.final()]).toString('latin1');
}

/** The DER of each certificate in the bags, in order. */
const bagCertificates = (bags: string): string[] =>
  children(forge.asn1.fromDer(bags)).map((bag) => children(children(children(children(bag)[1]!)[0]!)[1]!)[0]!.value as string);

const pemCertificates = (pem: string): string[] => pem.split('-----END CERTIFICATE-----\n').filter((b) => b !== '').map((b) => Buffer.from(b.replace('-----BEGIN CERTIFICATE-----\n', ''), 'base64').toString('latin1'));

describe('pemTruststoreToPKCS12 matches go-pkcs12 Modern.EncodeTrustStore', () => {
  for (const c of vectors.cases.filter((c) => isTruststore(c) && c.want !== undefined)) {
    const password = /"([^"]*)" }}$/.exec(c.template)?.[1] ?? '';
    it(`${c.name}: ours holds Go's certificate bags, trust marks and friendly names, node for node`, () => {
      const ours = Buffer.from(renderCase(c), 'base64').toString('latin1');
      const go = goArchive(c);
      expect(shape(ours)).toEqual(shape(go));
      // The bags hold the certificates (compared below) and the BMPString names, compared exactly.
      expect(shape(certificateBags(ours, password))).toEqual(shape(certificateBags(go, password)));
      expect(bagCertificates(certificateBags(ours, password))).toEqual(bagCertificates(certificateBags(go, password)));
      expect(bagCertificates(certificateBags(ours, password))).toEqual(pemCertificates(text(c.data['c']!)));
    });
  }
});

describe('archives made by our encoder, decoded by go-pkcs12 (ours-decoded-by-go.json)', () => {
  const records = JSON.parse(readFileSync(new URL('ours-decoded-by-go.json', dir), 'utf8')) as {
    name: string; pfx: string; password: string; go: { key?: string; cert?: string; keyError?: string; certError?: string; truststore?: string };
  }[];
  it('has a record for every encoder case', () => {
    expect(records.map((r) => r.name).sort()).toEqual(vectors.cases.filter(isEncoder).map((c) => c.name).sort());
  });
  for (const r of records.filter((r) => !r.name.startsWith('pemTruststoreToPKCS12'))) {
    it(`${r.name}: Go read our archive as we do`, () => {
      expect(r.go.keyError).toBeUndefined();
      expect(r.go.certError).toBeUndefined();
      expect(decoded(text(r.pfx), r.password)).toEqual({ key: r.go.key, cert: r.go.cert });
    });
  }
  for (const r of records.filter((r) => r.name.startsWith('pemTruststoreToPKCS12'))) {
    it(`${r.name}: Go read our trust store (DecodeTrustStore) with every certificate`, () => {
      const c = vectors.cases.find((v) => v.name === r.name)!;
      expect(r.go.truststore).toBe(String(pemCertificates(text(c.data['c']!)).length));
    });
  }
});

describe('errors never quote the input', () => {
  it('a JWK that is not JSON is reported without its text', () => {
    const secretish = '{"kty":"RSA","d":"c2VjcmV0LWtleS1tYXRlcmlhbA" trailing';
    expect(() => render('{{ .j | jwkPrivateKeyPem }}', { j: secretish })).toThrow(/key hint: invalid JSON$/);
  });
});

describe('key derivations are bounded before they run', () => {
  it('an archive asking for 10^9 iterations is refused at once (TemplateLimitExceeded)', () => {
    // Set the MAC's iteration count, the first derivation a decoder runs, to 10^9.
    const pfx = forge.asn1.fromDer(input('modern.pfx'));
    const macData = (pfx.value as forge.asn1.Asn1[])[2]!.value as forge.asn1.Asn1[];
    macData[2] = forge.asn1.create(0, forge.asn1.Type.INTEGER, false, forge.asn1.integerToDer(1_000_000_000).getBytes());
    const budget = new RenderBudget();
    let caught: unknown;
    try {
      render('{{ .p | pkcs12keyPass "s3cret" }}', { p: forge.asn1.toDer(pfx).getBytes() }, budget);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(TemplateError);
    expect((caught as TemplateError).limit).toBe(true);
    expect((caught as TemplateError).message).toContain(`key derivations need more than the limit of ${templateLimits.keyDerivationIterations} iterations`);
    // The MAC derivation charged its 10^9 iterations and was refused before hashing (which would take minutes).
    expect(budget.keyIterations).toBeGreaterThan(templateLimits.keyDerivationIterations);
  });

  it('one budget bounds the derivations of all the templates it renders', () => {
    const budget = new RenderBudget();
    const data = { p: input('modern.pfx') };
    let rendered = 0;
    expect(() => {
      for (;;) {
        render('{{ .p | pkcs12keyPass "s3cret" }}', data, budget);
        rendered++;
      }
    }).toThrow(/key derivations need more than the limit/);
    // Modern: a 2048-iteration MAC (one SHA-256 block) and two PBKDF2 derivations of one block each.
    expect(rendered).toBe(Math.floor(templateLimits.keyDerivationIterations / (3 * 2048)));
  });
});
