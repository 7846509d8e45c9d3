/**
 * ESO's certSANs (runtime/template/v2/pem.go): the subject alternative names of the first
 * certificate of a PEM text, as Go's crypto/x509 groups them (DNS names, IP addresses, email
 * addresses, URIs, each group in the certificate's order), IP addresses printed as Go's net.IP
 * does: IPv4 and IPv4-mapped IPv6 dotted, other IPv6 in RFC 5952's short form.
 */
import type { CallContext } from './budget.ts';
import type { GoString } from './bytes.ts';
import { children, parseDer } from './der.ts';
import { FuncError } from './errors.ts';
import { decodePem } from './pem.ts';
import { GoSlice } from './values.ts';
import { parseCertificate } from './x509.ts';

const MALFORMED = 'failed to parse certificate: x509: malformed certificate';

/** GeneralName tags x509 keeps, and the name Go's errors give each. */
const RFC822 = 1;
const DNS = 2;
const URI = 6;
const IP = 7;
const kindName: Record<number, string> = { [RFC822]: 'rfc822Name', [DNS]: 'dNSName', [URI]: 'uniformResourceIdentifier' };

/** net.IP.String for a 4- or 16-byte address. */
function formatIp(ip: GoString): string {
  const b = (i: number): number => ip.charCodeAt(i);
  const dotted = (from: number): string => [0, 1, 2, 3].map((i) => b(from + i)).join('.');
  if (ip.length === 4) return dotted(0);
  if (/^\0{10}\xff\xff/.test(ip)) return dotted(12);
  const groups = Array.from({ length: 8 }, (_, i) => (b(2 * i) << 8) | b(2 * i + 1));
  // The first longest run of two or more zero groups becomes "::".
  let start = -1;
  let length = 0;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > length && j - i >= 2) [start, length] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = (from: number, to: number): string => groups.slice(from, to).map((g) => g.toString(16)).join(':');
  return start < 0 ? hex(0, 8) : `${hex(0, start)}::${hex(start + length, 8)}`;
}

export function certSANs(ctx: CallContext, input: GoString): GoSlice {
  const begin = input.indexOf('-----BEGIN');
  const [block] = decodePem(begin === -1 ? input : input.slice(begin));
  if (block === undefined) throw new FuncError('failed to decode PEM block');
  let cert;
  try {
    cert = parseCertificate(block.bytes);
  } catch (e) {
    if (e instanceof FuncError) throw new FuncError(`failed to parse certificate: ${e.message}`);
    throw e;
  }
  const byKind = new Map<number, string[]>([[DNS, []], [IP, []], [RFC822, []], [URI, []]]);
  if (cert.subjectAltName !== undefined) {
    for (const name of children(parseDer(cert.subjectAltName, MALFORMED), MALFORMED)) {
      const list = byKind.get(name.type);
      if (name.tagClass !== 0x80 || list === undefined || name.constructed || typeof name.value !== 'string') continue;
      if (name.type === IP) {
        if (name.value.length !== 4 && name.value.length !== 16) {
          throw new FuncError(`failed to parse certificate: x509: cannot parse IP address of length ${name.value.length}`);
        }
        list.push(formatIp(name.value));
      } else {
        if (!/^[\x00-\x7f]*$/.test(name.value)) throw new FuncError(`failed to parse certificate: x509: SAN ${kindName[name.type]} is malformed`);
        list.push(name.value);
      }
    }
  }
  const sans = [DNS, IP, RFC822, URI].flatMap((k) => byKind.get(k)!);
  ctx.take(sans.reduce((n, s) => n + s.length + 16, 0));
  return new GoSlice('string', sans);
}
