/**
 * Go's encoding/pem (Go 1.25+: Decode, Encode), on byte strings (bytes.ts), written out because
 * ESO's certificate helpers depend on its exact rules and no npm PEM reader has them: a BEGIN line
 * must start the input or a line, the END line must name the same type and end the line, `Key:
 * value` lines after BEGIN are headers, a block whose base64 is invalid is skipped, and whatever
 * follows the END line's newline is `rest`. Encode writes Proc-Type first, other headers sorted,
 * and base64 in lines of 64.
 */
import { fromByteString, toByteString } from '../bytes.ts';
import { decodeBase64, STD_ENCODING } from '../base64.ts';
import type { GoString } from './bytes.ts';

export interface PemBlock {
  readonly type: GoString;
  readonly headers: ReadonlyMap<GoString, GoString>;
  /** The decoded bytes, as a byte string. */
  readonly bytes: GoString;
}

const BEGIN = '\n-----BEGIN ';
const END = '\n-----END ';
const DASHES = '-----';

/** Go's getLine: the line without its newline (and \r), trailing spaces and tabs trimmed; the rest; bytes consumed. */
function getLine(data: GoString): [line: GoString, rest: GoString, consumed: number] {
  let i = data.indexOf('\n');
  let j: number;
  if (i < 0) {
    i = data.length;
    j = i;
  } else {
    j = i + 1;
    if (i > 0 && data[i - 1] === '\r') i--;
  }
  return [data.slice(0, i).replace(/[ \t]+$/, ''), data.slice(j), j];
}

/** bytes.TrimSpace: ASCII white space and the UTF-8 of U+0085 and U+00A0. */
const trimSpace = (s: GoString): GoString => s.replace(/^(?:[\t\n\v\f\r ]|\xc2[\x85\xa0])+|(?:[\t\n\v\f\r ]|\xc2[\x85\xa0])+$/g, '');

/** pem.Decode: the first block and the input after it, or undefined and the whole input. */
export function decodePem(data: GoString): [PemBlock | undefined, GoString] {
  let rest = data;
  let endTrailerIndex = 0;
  for (;;) {
    if (endTrailerIndex < 0 || endTrailerIndex > rest.length) return [undefined, data];
    rest = rest.slice(endTrailerIndex);
    let endIndex = rest.indexOf(END);
    if (endIndex < 0) return [undefined, data];
    endTrailerIndex = endIndex + END.length;
    const beginIndex = rest.slice(0, endIndex).lastIndexOf(BEGIN.slice(1));
    if (beginIndex < 0 || (beginIndex > 0 && rest[beginIndex - 1] !== '\n')) continue;
    const skip = beginIndex + BEGIN.length - 1;
    rest = rest.slice(skip);
    endIndex -= skip;
    endTrailerIndex -= skip;

    const [typeLineFull, afterType, consumed] = getLine(rest);
    rest = afterType;
    endIndex -= consumed;
    endTrailerIndex -= consumed;
    if (!typeLineFull.endsWith(DASHES)) continue;
    const type = typeLineFull.slice(0, typeLineFull.length - DASHES.length);

    const headers = new Map<GoString, GoString>();
    let truncated = false;
    for (;;) {
      if (rest.length === 0) {
        truncated = true;
        break;
      }
      const [line, next, used] = getLine(rest);
      const colon = line.indexOf(':');
      if (colon < 0) break;
      headers.set(trimSpace(line.slice(0, colon)), trimSpace(line.slice(colon + 1)));
      rest = next;
      endIndex -= used;
      endTrailerIndex -= used;
    }
    if (truncated) return [undefined, data];
    if (headers.size > 0 && endIndex < 0) continue;

    let endTrailer = rest.slice(endTrailerIndex);
    const endTrailerLen = type.length + DASHES.length;
    if (endTrailer.length < endTrailerLen) continue;
    const restOfEndLine = endTrailer.slice(endTrailerLen);
    endTrailer = endTrailer.slice(0, endTrailerLen);
    if (!endTrailer.startsWith(type) || !endTrailer.endsWith(DASHES)) continue;
    if (getLine(restOfEndLine)[0].length !== 0) continue;

    let bytes = '';
    if (endIndex > 0) {
      const decoded = decodeBase64(fromByteString(rest.slice(0, endIndex).replace(/[ \t]/g, '')), STD_ENCODING);
      if (typeof decoded === 'number') continue;
      bytes = toByteString(decoded);
    }
    // END may have matched without its newline when the block is empty.
    return [{ type, headers, bytes }, getLine(rest.slice(endIndex + END.length - 1))[1]];
  }
}

/** pem.EncodeToMemory. */
export function encodePem(block: { type: GoString; headers?: ReadonlyMap<GoString, GoString>; bytes: GoString }): GoString {
  let out = `-----BEGIN ${block.type}-----\n`;
  const headers = block.headers ?? new Map<GoString, GoString>();
  if (headers.size > 0) {
    const procType = 'Proc-Type';
    if (headers.has(procType)) out += `${procType}: ${headers.get(procType)}\n`;
    const keys = [...headers.keys()].filter((k) => k !== procType).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const k of keys) out += `${k}: ${headers.get(k)}\n`;
    out += '\n';
  }
  const b64 = Buffer.from(block.bytes, 'latin1').toString('base64');
  for (let i = 0; i < b64.length; i += 64) out += b64.slice(i, i + 64) + '\n';
  return out + `-----END ${block.type}-----\n`;
}

/**
 * The labels of RFC 7468 and OpenSSL's legacy ones. An error may name a block by one of these;
 * any other label is the input's own text, and the input may be secret data.
 */
const WELL_KNOWN_LABELS: ReadonlySet<GoString> = new Set([
  'CERTIFICATE', 'TRUSTED CERTIFICATE', 'X509 CRL', 'CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST', 'PKCS7', 'CMS',
  'ATTRIBUTE CERTIFICATE', 'PUBLIC KEY', 'RSA PUBLIC KEY', 'PRIVATE KEY', 'ENCRYPTED PRIVATE KEY', 'RSA PRIVATE KEY',
  'EC PRIVATE KEY', 'DSA PRIVATE KEY', 'OPENSSH PRIVATE KEY', 'EC PARAMETERS', 'DH PARAMETERS',
]);

/** The block's label if an error may name it (see WELL_KNOWN_LABELS), else undefined. */
export const nameableLabel = (block: PemBlock): GoString | undefined => (WELL_KNOWN_LABELS.has(block.type) ? block.type : undefined);
