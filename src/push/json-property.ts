/**
 * A PushSecret entry with `remoteRef.property` sets one property of a JSON remote secret and keeps
 * the rest, as ESO does with tidwall/sjson's SetBytes(current, property, value): the value is
 * written as a JSON string, the text around it is kept byte for byte, a missing key is appended
 * before its object's closing brace, and missing parents are created as objects. The path is
 * sjson's: `.` separates keys, `\` escapes the next character, and `| # @ * ?` are refused.
 * Hand-written to match sjson's output byte for byte for object paths; a path through an array,
 * or one that would have sjson create an array, is refused rather than guessed. Pure.
 */
import { OperatorError } from '../errors.ts';
import { goJsonString } from '../go/json/encode.ts';

/** `current` with `property` set to `value` (a string); `current` empty means a new object, as in ESO. */
export function setJsonProperty(current: string, property: string, value: string, at: string): string {
  const path = parsePath(property, at);
  if (current !== '' && !isJson(current)) {
    throw new OperatorError('DecodingFailed', `${at}: PushSecret for aws secrets manager with a pushSecretData property requires a json secret`);
  }
  const encoded = stringify(value);
  const start = skipSpace(current, 0);
  // sjson makes a new object of an empty text or a JSON scalar.
  if (current === '' || (current[start] !== '{' && current[start] !== '[')) return build(path, encoded, at);
  if (current[start] === '[') {
    throw new OperatorError('InvalidSpec', `${at}: property "${property}" cannot be set: the remote value is a JSON array; this operator sets properties of objects only`);
  }
  // A key added at the top drops the text around the object, as sjson rebuilds it from the parsed value.
  const end = current.lastIndexOf('}') + 1;
  return setIn(current.slice(start, end), 0, path, encoded, property, at, current.slice(0, start), current.slice(end));
}

/** sjson's appendStringify: plain quotes unless a byte needs escaping, then encoding/json (HTML-escaping) does it. */
function stringify(value: string): string {
  // Bytes below space, above 0x7f, a quote or a backslash: sjson's mustMarshalString.
  return /[\u0000-\u001f"\\\u0080-\uffff]/.test(value) ? goJsonString(value) : `"${value}"`;
}

function parsePath(property: string, at: string): string[] {
  if (/[|#@*?]/.test(property)) {
    throw new OperatorError('InvalidSpec', `${at}: property "${property}" has a character sjson does not set through (| # @ * ?)`);
  }
  const parts: string[] = [];
  let part = '';
  for (let i = 0; i < property.length; i++) {
    const c = property[i]!;
    if (c === '\\' && i + 1 < property.length) part += property[++i];
    else if (c === '.') {
      parts.push(part);
      part = '';
    } else part += c;
  }
  parts.push(part);
  return parts;
}

/** `{"a":{"b":value}}` for the path a.b: the parents sjson creates. */
function build(path: readonly string[], encoded: string, at: string): string {
  let out = encoded;
  for (let i = path.length - 1; i >= 0; i--) {
    // sjson would create an array for an index under a missing parent.
    if (i > 0 && /^(-1|\d+)$/.test(path[i]!)) {
      throw new OperatorError('InvalidSpec', `${at}: property path part "${path[i]}" would create an array; this operator sets properties of objects only`);
    }
    out = `{${goJsonString(path[i]!)}:${out}}`;
  }
  return out;
}

/** Sets `path` inside the object starting at `open` in `doc`. */
function setIn(doc: string, open: number, path: readonly string[], encoded: string, property: string, at: string, before = '', after = ''): string {
  const [key, ...rest] = path as [string, ...string[]];
  const { members, close } = objectMembers(doc, open);
  const member = members.find((m) => m.key === key);
  if (!member) {
    const empty = members.length === 0;
    const inserted = `${empty ? '' : ','}${build(path, encoded, at).slice(1, -1)}`;
    return doc.slice(0, close) + inserted + doc.slice(close);
  }
  if (rest.length === 0) return before + doc.slice(0, member.valueStart) + encoded + doc.slice(member.valueEnd) + after;
  const c = doc[member.valueStart];
  if (c === '{') return before + setIn(doc, member.valueStart, rest, encoded, property, at) + after;
  if (c === '[') {
    throw new OperatorError('InvalidSpec', `${at}: property "${property}" goes through an array in the remote value; this operator sets properties of objects only`);
  }
  // A scalar in the way is replaced by the object the rest of the path needs.
  return before + doc.slice(0, member.valueStart) + build(rest, encoded, at) + doc.slice(member.valueEnd) + after;
}

interface Member { key: string; valueStart: number; valueEnd: number }

/** The members of the (valid) object at `open`, and where its closing brace is. */
function objectMembers(doc: string, open: number): { members: Member[]; close: number } {
  const members: Member[] = [];
  let i = skipSpace(doc, open + 1);
  while (doc[i] !== '}') {
    const keyEnd = stringEnd(doc, i);
    const key = JSON.parse(doc.slice(i, keyEnd)) as string;
    const valueStart = skipSpace(doc, skipSpace(doc, keyEnd) + 1);
    const valueEnd = valueEndAt(doc, valueStart);
    members.push({ key, valueStart, valueEnd });
    i = skipSpace(doc, valueEnd);
    if (doc[i] === ',') i = skipSpace(doc, i + 1);
  }
  return { members, close: i };
}

function skipSpace(doc: string, i: number): number {
  while (i < doc.length && ' \t\n\r'.includes(doc[i]!)) i++;
  return i;
}

/** Index just past the string starting at `i`. */
function stringEnd(doc: string, i: number): number {
  for (let j = i + 1; j < doc.length; j++) {
    if (doc[j] === '\\') j++;
    else if (doc[j] === '"') return j + 1;
  }
  return doc.length;
}

/** Index just past the value starting at `i` (the text is valid JSON). */
function valueEndAt(doc: string, i: number): number {
  const c = doc[i];
  if (c === '"') return stringEnd(doc, i);
  if (c === '{' || c === '[') {
    let depth = 0;
    for (let j = i; j < doc.length; j++) {
      const d = doc[j];
      if (d === '"') j = stringEnd(doc, j) - 1;
      else if (d === '{' || d === '[') depth++;
      else if (d === '}' || d === ']') {
        if (--depth === 0) return j + 1;
      }
    }
    return doc.length;
  }
  let j = i;
  while (j < doc.length && !',}] \t\n\r'.includes(doc[j]!)) j++;
  return j;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
