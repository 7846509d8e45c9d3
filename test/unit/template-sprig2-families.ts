import { expect } from 'vitest';
import { TemplateError } from '../../src/go/template/index.ts';

// What the two tests of the sprig2 vectors (template-dates, template-random-crypto) share.

/** Which of the sprig2 vectors (template-sprig2-vectors.ts) are random or crypto functions; the rest are dates. */
export const isRandomOrCrypto = (name: string): boolean =>
  /^(rand|shuffle|uuid|bcrypt|htpasswd|derivePassword|genPrivateKey|gen[A-Z]|buildCustomCert|encryptAES|decryptAES)/.test(name);

/**
 * Where ours differs from Go's on purpose: Go quotes the value (or a part of it), which may be
 * secret data and would reach the status, Events and logs. Ours keeps Go's words around it.
 */
const ourReasons: Record<string, string> = {
  'mustToDate 2006-01-02 2023-02-29': 'error calling mustToDate: parsing time: day out of range',
  'mustToDate 2006-01-02 2024-13-01': 'error calling mustToDate: parsing time: month out of range',
  'mustToDate 2006-01-02 15:04:05 2024-01-02 24:00:00': 'error calling mustToDate: parsing time: hour out of range',
  'mustToDate January 2, 2006 February 30, 2021': 'error calling mustToDate: parsing time: day out of range',
  'mustToDate Mon, 02 Jan 2006 Tuesday, 03 Feb 2021': 'error calling mustToDate: parsing time as "Mon, 02 Jan 2006": cannot parse the value as ", "',
  'mustToDate 2006 002 2023 366': 'error calling mustToDate: parsing time: day-of-year out of range',
  'mustToDate 01 2006 002 03 2024 060': 'error calling mustToDate: parsing time: day-of-year does not match month',
  'mustToDate 3:04pm 1:30PM': 'error calling mustToDate: parsing time as "3:04pm": cannot parse the value as "pm"',
  'mustToDate 15:04:05.000 10:11:12.3': 'error calling mustToDate: parsing time as "15:04:05.000": cannot parse the value as ".000"',
  'mustToDate 2006-01-02 2024-01-02 extra': 'error calling mustToDate: parsing time: extra text',
  'mustToDate 2006-01-02 x': 'error calling mustToDate: parsing time as "2006-01-02": cannot parse the value as "2006"',
  'mustToDate 2006-01-02 2024-1-2': 'error calling mustToDate: parsing time as "2006-01-02": cannot parse the value as "01"',
  'mustToDate 2006-01-02T15:04:05Z07:00 2024-05-06T07:08:09+25:00': 'error calling mustToDate: parsing time: time zone offset hour out of range',
  'mustToDate 2006-01-02 été': 'error calling mustToDate: parsing time as "2006-01-02": cannot parse the value as "2006"',
  'mustDateModify ': 'error calling mustDateModify: time: invalid duration',
  'mustDateModify x': 'error calling mustDateModify: time: invalid duration',
  'mustDateModify 1': 'error calling mustDateModify: time: missing unit in duration',
  'mustDateModify 1d': 'error calling mustDateModify: time: unknown unit in duration',
  'must_date_modify error': 'error calling must_date_modify: time: missing unit in duration',
  'genSelfSignedCert of a bad IP': 'error calling genSelfSignedCert: error parsing ip',
  'genSelfSignedCert of an IP with a zone': 'error calling genSelfSignedCert: error parsing ip',
  'genSelfSignedCert of an IPv4 with a leading zero': 'error calling genSelfSignedCert: error parsing ip',
  // A non-string element is named by its type, not printed (a number or map may come from the data).
  'genSelfSignedCert of a number as IP': 'error calling genSelfSignedCert: error parsing ip: a value of type int is not a string',
  'genSelfSignedCert of a number as DNS name': 'error calling genSelfSignedCert: error processing alternate dns name: a value of type float64 is not a string',
  // A PEM block is named by its type only when that is a well-known label (pem.ts).
  'genCAWithKey of an unknown key type': 'error calling genCAWithKey: parsing private key: invalid private key type',
  'genSelfSignedCert of a non-ASCII DNS name': 'error calling genSelfSignedCert: error creating certificate: x509: a DNS name cannot be encoded as an IA5String',
};

/**
 * Where Go fails, ours fails too, as a TemplateError with Go's own words after its `at <...>: `
 * part (ours give line:column there instead), or with ours where ourReasons says so. Ours is
 * the whole reason: nothing may follow it.
 */
export function expectGoError(name: string, goError: string, render: () => unknown): void {
  expect(render).toThrow(TemplateError);
  const ours = ourReasons[name];
  if (ours === undefined) {
    expect(render).toThrow(goError.slice(goError.indexOf('>: ') + 3));
    return;
  }
  let message = '';
  try {
    render();
  } catch (e) {
    message = (e as Error).message;
  }
  expect(message.slice(message.indexOf('error calling '))).toBe(ours);
}
