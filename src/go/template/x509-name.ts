/**
 * Go's pkix.Name.String() for a certificate's subject, written out because go-pkcs12 names each
 * certificate of a trust store by it (the friendlyName Java shows as the alias) and no npm library
 * prints Go's form: the known attributes regrouped in Go's fixed order (C, ST, L, STREET,
 * POSTALCODE, O, OU, the last CN, SERIALNUMBER) after the others, the whole printed last first,
 * values of several attributes of a kind joined by "+", RFC 2253 escapes, and attributes Go has no
 * name for as OID=#hex of their value re-encoded as Go's asn1.Marshal would.
 */
import { isUtf8 } from 'node:buffer';
import { toByteString } from '../bytes.ts';
import { encodeRune, runes, type GoString } from './bytes.ts';
import { children, oid, type Der } from './der.ts';
import { FuncError } from './errors.ts';

const MALFORMED = 'x509: malformed certificate';

/** Go's order of the attributes it parses into fields, with their names. */
const KNOWN: readonly [oid: string, name: string][] = [
  ['2.5.4.6', 'C'], ['2.5.4.8', 'ST'], ['2.5.4.7', 'L'], ['2.5.4.9', 'STREET'], ['2.5.4.17', 'POSTALCODE'],
  ['2.5.4.10', 'O'], ['2.5.4.11', 'OU'], ['2.5.4.3', 'CN'], ['2.5.4.5', 'SERIALNUMBER'],
];
const KNOWN_NAMES = new Map(KNOWN);

/** A directory string's value as Go's x509 parser makes it a string (BMPString from UTF-16). */
function attributeValue(node: Der): GoString {
  if (node.tagClass !== 0 || node.constructed || typeof node.value !== 'string') throw new FuncError(MALFORMED);
  switch (node.type as number) {
    case 12: // UTF8String
    case 19: // PrintableString
    case 22: // IA5String
    case 18: // NumericString
    case 20: // T61String
      return node.value;
    case 30: { // BMPString
      const units = Buffer.from(node.value, 'latin1');
      if (units.length % 2 !== 0) throw new FuncError(MALFORMED);
      let end = units.length;
      if (end >= 2 && units[end - 1] === 0 && units[end - 2] === 0) end -= 2;
      return toByteString(new Uint8Array(Buffer.from(Buffer.from(units.subarray(0, end)).swap16().toString('utf16le'), 'utf8')));
    }
  }
  throw new FuncError('x509: unsupported string type');
}

const PRINTABLE = /^[a-zA-Z0-9'()+,\-./ :=?]*$/;

/** Go's asn1.Marshal of a string: PrintableString when it can be, else UTF8String; undefined when not UTF-8. */
function marshalString(value: GoString): GoString | undefined {
  let tag = 19;
  if (!PRINTABLE.test(value)) {
    if (!isUtf8(Buffer.from(value, 'latin1'))) return undefined;
    tag = 12;
  }
  const n = value.length;
  const length = n < 0x80 ? String.fromCharCode(n) : lengthBytes(n);
  return String.fromCharCode(tag) + length + value;
}

function lengthBytes(n: number): GoString {
  let bytes = '';
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes = String.fromCharCode(v % 256) + bytes;
  return String.fromCharCode(0x80 | bytes.length) + bytes;
}

/** RFC 2253 escaping as Go does it, rune by rune (invalid bytes become U+FFFD, as Go's range does). */
function escape(value: GoString): GoString {
  let out = '';
  const last = value.length - 1;
  for (const [r, k] of runes(value)) {
    const c = String.fromCharCode(r);
    const special = r < 0x80 && (',+"\\<>;'.includes(c) || (c === ' ' && (k === 0 || k === last)) || (c === '#' && k === 0));
    out += (special ? '\\' : '') + encodeRune(r);
  }
  return out;
}

interface Attribute {
  readonly type: string;
  readonly value: GoString;
}

/** pkix.Name.String() of a Name (an RDNSequence's DER node); a UTF-8 byte string. */
export function nameString(name: Der): GoString {
  const attributes: Attribute[] = [];
  for (const rdn of children(name, MALFORMED)) {
    for (const atv of children(rdn, MALFORMED)) {
      const [type, value] = children(atv, MALFORMED);
      attributes.push({ type: oid(type, MALFORMED), value: attributeValue(value!) });
    }
  }
  // Go's Name: the others first, one RDN each, then the known ones in its order.
  const rdns: Attribute[][] = attributes.filter((a) => !KNOWN_NAMES.has(a.type)).map((a) => [a]);
  for (const [id] of KNOWN) {
    const values = attributes.filter((a) => a.type === id);
    if (values.length === 0) continue;
    if (id !== '2.5.4.3' && id !== '2.5.4.5') rdns.push(values);
    // Go keeps the last CN and serialNumber, and drops them when empty.
    else if (values[values.length - 1]!.value !== '') rdns.push([values[values.length - 1]!]);
  }
  return rdns
    .reverse()
    .map((rdn) =>
      rdn
        .map((a) => {
          const known = KNOWN_NAMES.get(a.type);
          if (known === undefined) {
            const der = marshalString(a.value);
            if (der !== undefined) return `${a.type}=#${Buffer.from(der, 'latin1').toString('hex')}`;
          }
          return `${known ?? a.type}=${escape(a.value)}`;
        })
        .join('+'),
    )
    .join(',');
}
