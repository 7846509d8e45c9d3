/**
 * Go's net/url Parse and URL.String, the parts sprig's urlParse and urlJoin use, hand-written
 * to match Go byte for byte (WHATWG's URL, in Node, parses and escapes differently). Hosts
 * with several colons split at the last one, as Go did before 1.26 (godebug urlstrictcolons=0,
 * the default for a module such as ESO's that declares an older Go). Errors never repeat the
 * input: a URL in a Secret may hold a password.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { GoString } from './bytes.ts';
import { hexDigit } from '../ascii.ts';

export class UrlError extends Error {}

/** net/url's encoding modes. */
type Mode = 'path' | 'pathSegment' | 'host' | 'zone' | 'userPassword' | 'queryComponent' | 'fragment';

function shouldEscape(c: number, mode: Mode): boolean {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z0-9]/.test(ch)) return false;
  if ((mode === 'host' || mode === 'zone') && `!$&'()*+,;=:[]<>"`.includes(ch)) return false;
  if ('-_.~'.includes(ch)) return false;
  if ('$&+,/:;=?@'.includes(ch)) {
    switch (mode) {
      case 'path': return ch === '?';
      case 'pathSegment': return '/;,?'.includes(ch);
      case 'userPassword': return '@/?:'.includes(ch);
      case 'queryComponent': return true;
      case 'fragment': return false;
    }
  }
  if (mode === 'fragment' && '!()*'.includes(ch)) return false;
  return true;
}

/** url.unescape; a bad escape or host character is an error that does not quote it. */
function unescape(s: GoString, mode: Mode): GoString {
  let out = '';
  for (let i = 0; i < s.length; ) {
    const c = s[i]!;
    if (c === '%') {
      const hi = hexDigit(s.charCodeAt(i + 1));
      const lo = hexDigit(s.charCodeAt(i + 2));
      if (hi < 0 || lo < 0) throw new UrlError('invalid URL escape');
      const v = hi * 16 + lo;
      if (mode === 'host' && v >> 4 < 8 && s.slice(i, i + 3) !== '%25') throw new UrlError('invalid URL escape');
      if (mode === 'zone' && s.slice(i, i + 3) !== '%25' && v !== 0x20 && shouldEscape(v, 'host')) throw new UrlError('invalid URL escape');
      out += String.fromCharCode(v);
      i += 3;
    } else {
      if ((mode === 'host' || mode === 'zone') && c.charCodeAt(0) < 0x80 && shouldEscape(c.charCodeAt(0), mode)) {
        throw new UrlError('invalid character in host name');
      }
      out += c;
      i++;
    }
  }
  return out;
}

function escape(s: GoString, mode: Mode): GoString {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += shouldEscape(c, mode) ? '%' + c.toString(16).toUpperCase().padStart(2, '0') : s[i];
  }
  return out;
}

const validOptionalPort = (port: GoString): boolean => port === '' || /^:[0-9]*$/.test(port);

function parseHost(host: GoString): GoString {
  const open = host.lastIndexOf('[');
  if (open > 0) throw new UrlError('invalid IP-literal');
  if (open === 0) {
    const close = host.lastIndexOf(']');
    if (close < 0) throw new UrlError("missing ']' in host");
    const colonPort = host.slice(close + 1);
    if (!validOptionalPort(colonPort)) throw new UrlError('invalid port after host');
    const port = unescape(colonPort, 'host');
    const hostname = host.slice(1, close);
    const zone = hostname.indexOf('%25');
    const name = zone >= 0 ? unescape(hostname.slice(0, zone), 'host') + unescape(hostname.slice(zone), 'zone') : unescape(hostname, 'host');
    // netip.ParseAddr: an IPv6 address, with an optional zone; an IPv4 one is refused in brackets.
    if (isIPv4(name)) throw new UrlError('invalid IP-literal');
    if (!isIPv6(name)) throw new UrlError('invalid host: not an IP address');
    return `[${name}]${port}`;
  }
  const colon = host.lastIndexOf(':');
  if (colon !== -1 && !validOptionalPort(host.slice(colon))) throw new UrlError('invalid port after host');
  return unescape(host, 'host');
}

const validUserinfo = (s: GoString): boolean => /^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/.test(s);

export interface GoUrl {
  scheme: GoString;
  opaque: GoString;
  /** username and password (undefined: none set); undefined: no userinfo at all. */
  user: { username: GoString; password: GoString | undefined } | undefined;
  host: GoString;
  path: GoString;
  rawPath: GoString;
  omitHost: boolean;
  forceQuery: boolean;
  rawQuery: GoString;
  fragment: GoString;
  rawFragment: GoString;
}

function getScheme(raw: GoString): [GoString, GoString] {
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (/[a-zA-Z]/.test(c)) continue;
    if (/[0-9+\-.]/.test(c)) {
      if (i === 0) return ['', raw];
      continue;
    }
    if (c === ':') {
      if (i === 0) throw new UrlError('missing protocol scheme');
      return [raw.slice(0, i), raw.slice(i + 1)];
    }
    return ['', raw];
  }
  return ['', raw];
}

function setPath(u: GoUrl, p: GoString): void {
  u.path = unescape(p, 'path');
  u.rawPath = escape(u.path, 'path') === p ? '' : p;
}

/** url.Parse; throws UrlError with Go's reason (without the `parse "..."` prefix, which repeats the input). */
export function parseUrl(raw: GoString): GoUrl {
  const hash = raw.indexOf('#');
  const [rest0, frag] = hash < 0 ? [raw, ''] : [raw.slice(0, hash), raw.slice(hash + 1)];
  const u: GoUrl = {
    scheme: '', opaque: '', user: undefined, host: '', path: '', rawPath: '', omitHost: false, forceQuery: false,
    rawQuery: '', fragment: '', rawFragment: '',
  };
  if (/[\x00-\x1f\x7f]/.test(rest0)) throw new UrlError('net/url: invalid control character in URL');
  if (rest0 === '*') {
    u.path = '*';
  } else {
    let rest: GoString;
    [u.scheme, rest] = getScheme(rest0);
    u.scheme = u.scheme.toLowerCase();
    if (rest.endsWith('?') && rest.indexOf('?') === rest.length - 1) {
      u.forceQuery = true;
      rest = rest.slice(0, -1);
    } else {
      const q = rest.indexOf('?');
      if (q >= 0) [rest, u.rawQuery] = [rest.slice(0, q), rest.slice(q + 1)];
    }
    if (!rest.startsWith('/')) {
      if (u.scheme !== '') {
        u.opaque = rest;
        return withFragment(u, frag);
      }
      if (rest.split('/', 1)[0]!.includes(':')) throw new UrlError('first path segment in URL cannot contain colon');
    }
    if ((u.scheme !== '' || !rest.startsWith('///')) && rest.startsWith('//')) {
      let authority = rest.slice(2);
      rest = '';
      const slash = authority.indexOf('/');
      if (slash >= 0) [authority, rest] = [authority.slice(0, slash), authority.slice(slash)];
      const at = authority.lastIndexOf('@');
      u.host = parseHost(at < 0 ? authority : authority.slice(at + 1));
      if (at >= 0) {
        const userinfo = authority.slice(0, at);
        if (!validUserinfo(userinfo)) throw new UrlError('net/url: invalid userinfo');
        const colon = userinfo.indexOf(':');
        u.user = colon < 0
          ? { username: unescape(userinfo, 'userPassword'), password: undefined }
          : { username: unescape(userinfo.slice(0, colon), 'userPassword'), password: unescape(userinfo.slice(colon + 1), 'userPassword') };
      }
    } else if (u.scheme !== '' && rest.startsWith('/')) {
      u.omitHost = true;
    }
    setPath(u, rest);
  }
  return withFragment(u, frag);
}

function withFragment(u: GoUrl, f: GoString): GoUrl {
  if (f === '') return u;
  u.fragment = unescape(f, 'fragment');
  u.rawFragment = escape(u.fragment, 'fragment') === f ? '' : f;
  return u;
}

/** validEncoded: only characters that need no escape, sub-delimiters, brackets and escapes. */
const validEncoded = (s: GoString, mode: Mode): boolean =>
  [...s].every((c) => `!$&'()*+,;=:@[]%`.includes(c) || !shouldEscape(c.charCodeAt(0), mode));

function escapedRaw(raw: GoString, decoded: GoString, mode: Mode): GoString | undefined {
  if (raw === '' || !validEncoded(raw, mode)) return undefined;
  try {
    return unescape(raw, mode) === decoded ? raw : undefined;
  } catch {
    return undefined;
  }
}

/** Userinfo.String. */
export const userinfoString = (user: NonNullable<GoUrl['user']>): GoString =>
  escape(user.username, 'userPassword') + (user.password === undefined ? '' : ':' + escape(user.password, 'userPassword'));

/** URL.String. */
export function urlString(u: GoUrl): GoString {
  let out = '';
  if (u.scheme !== '') out += u.scheme + ':';
  if (u.opaque !== '') {
    out += u.opaque;
  } else {
    if ((u.scheme !== '' || u.host !== '' || u.user !== undefined) && !(u.omitHost && u.host === '' && u.user === undefined)) {
      if (u.host !== '' || u.path !== '' || u.user !== undefined) out += '//';
      if (u.user !== undefined) out += userinfoString(u.user) + '@';
      if (u.host !== '') out += escape(u.host, 'host');
    }
    const path = escapedRaw(u.rawPath, u.path, 'path') ?? (u.path === '*' ? '*' : escape(u.path, 'path'));
    if (path !== '' && path[0] !== '/' && u.host !== '') out += '/';
    if (out === '' && path.split('/', 1)[0]!.includes(':')) out += './';
    out += path;
  }
  if (u.forceQuery || u.rawQuery !== '') out += '?' + u.rawQuery;
  if (u.fragment !== '') out += '#' + (escapedRaw(u.rawFragment, u.fragment, 'fragment') ?? escape(u.fragment, 'fragment'));
  return out;
}

/** URL.Hostname: the host without its port and brackets. */
export function hostname(host: GoString): GoString {
  let h = host;
  const colon = h.lastIndexOf(':');
  if (colon !== -1 && validOptionalPort(h.slice(colon))) h = h.slice(0, colon);
  return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
}
