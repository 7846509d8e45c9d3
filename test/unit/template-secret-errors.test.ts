import { describe, expect, it } from 'vitest';
import { failure } from '../helpers/template-budget.ts';

/**
 * A template function that fails on a value from the data must not quote it: the message becomes
 * the Ready condition's, the Event's and the log line's. Go (time, Masterminds/semver, sprig's
 * certificates, jwx) quotes it; ours keeps Go's words around the value and leaves the value out.
 * Each case routes a secret-looking value through one function and checks the whole reason.
 */
const SECRET = 'hunter2SECRET';

const cases: [name: string, template: string, value: string, reason: string][] = [
  ['mustToDate of text', '{{ .v | mustToDate "2006-01-02" }}', SECRET, 'error calling mustToDate: parsing time as "2006-01-02": cannot parse the value as "2006"'],
  ['mustToDate of a date with a secret after it', '{{ .v | mustToDate "2006-01-02" }}', `2024-01-02${SECRET}`, 'error calling mustToDate: parsing time: extra text'],
  ['mustToDate of a bad separator', '{{ .v | mustToDate "2006-01-02" }}', `2024/${SECRET}`, 'error calling mustToDate: parsing time as "2006-01-02": cannot parse the value as "-"'],
  ['mustToDate of a month out of range', '{{ .v | mustToDate "2006-01-02" }}', '2024-13-02', 'error calling mustToDate: parsing time: month out of range'],
  ['mustDateModify of text', '{{ now | mustDateModify .v }}', SECRET, 'error calling mustDateModify: time: invalid duration'],
  ['mustDateModify of a secret unit', '{{ now | mustDateModify .v }}', `1${SECRET}`, 'error calling mustDateModify: time: unknown unit in duration'],
  ['mustDateModify of a missing unit', '{{ now | mustDateModify .v }}', '4242', 'error calling mustDateModify: time: missing unit in duration'],
  ['semverCompare of a secret constraint', '{{ semverCompare .v "1.0.0" }}', SECRET, 'error calling semverCompare: improper constraint'],
  ['semverCompare of a secret in an OR group', '{{ semverCompare (printf ">= 1.0.0 || %s" .v) "1.0.0" }}', SECRET, 'error calling semverCompare: improper constraint'],
  ['semverCompare of an out-of-range segment', '{{ semverCompare ">= 1.0.0" .v }}', '1.424242424242424242424242.0', 'error calling semverCompare: Error parsing version segment: strconv.ParseUint: value out of range'],
  ['genSelfSignedCert of a secret IP', '{{ genSelfSignedCert "h" (list .v) nil 1 }}', SECRET, 'error calling genSelfSignedCert: error parsing ip'],
  ['genCA-signed cert of a secret IP', '{{ genSignedCert "h" (list .v) nil 1 (genCA "ca" 1) }}', SECRET, 'error calling genSignedCert: error parsing ip'],
  ['genSelfSignedCert of a number from the data as IP', '{{ genSelfSignedCert "h" (list (atoi .v)) nil 1 }}', '424242', 'error calling genSelfSignedCert: error parsing ip: a value of type int is not a string'],
  ['genSelfSignedCert of a map from the data as DNS name', '{{ genSelfSignedCert "h" nil (list (fromJson .v)) 1 }}', `{"p":"${SECRET}"}`, 'error calling genSelfSignedCert: error processing alternate dns name: a value of type map[string]interface {} is not a string'],
  ['genSelfSignedCert of a non-ASCII secret DNS name', '{{ genSelfSignedCert "h" nil (list .v) 1 }}', `é${SECRET}`, 'error calling genSelfSignedCert: error creating certificate: x509: a DNS name cannot be encoded as an IA5String'],
  ['genCAWithKey of a key PEM with a secret label', '{{ genCAWithKey "ca" 30 (printf "-----BEGIN %s PRIVATE KEY-----\\nAAAA\\n-----END %s PRIVATE KEY-----\\n" .v .v) }}', SECRET, 'error calling genCAWithKey: parsing private key: invalid private key type'],
  ['genCAWithKey of a PEM with a secret label', '{{ genCAWithKey "ca" 30 (printf "-----BEGIN %s-----\\nAAAA\\n-----END %s-----\\n" .v .v) }}', SECRET, 'error calling genCAWithKey: parsing private key: no private key data in PEM block'],
  ['rsaDecrypt of a secret scheme', '{{ rsaDecrypt .v "SHA1" "x" "k" }}', SECRET, 'error calling rsaDecrypt: decryption scheme is not supported'],
  ['jwkPublicKeyPem of a secret kty', '{{ jwkPublicKeyPem .v }}', `{"kty":"${SECRET}"}`, 'error calling jwkPublicKeyPem: invalid key type from JSON'],
  ['jwkPrivateKeyPem of a secret kty', '{{ jwkPrivateKeyPem .v }}', `{"kty":"${SECRET}","d":"x"}`, 'error calling jwkPrivateKeyPem: invalid key type from JSON'],
];

describe('template errors never quote the data', () => {
  it.each(cases)('%s', (_name, template, value, reason) => {
    const { error } = failure(template, { v: value });
    expect(error.limit).toBe(false);
    expect(error.reason.slice(error.reason.indexOf('error calling '))).toBe(reason);
    for (const part of [value, SECRET, '424242', 'é']) expect(error.message).not.toContain(part);
  });

  it('a well-known PEM label is still named, as Go names it', () => {
    const { error } = failure('{{ genCAWithKey "ca" 30 .v }}', { v: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' });
    expect(error.reason).toMatch(/error calling genCAWithKey: parsing private key: no private key data in PEM block of type CERTIFICATE$/);
  });
});
