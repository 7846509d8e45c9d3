/**
 * sprig v3.3.0's urlParse and urlJoin (url.go) over Go's net/url (go-url.ts). Go's parse errors
 * quote the URL, which may hold a password: ours give Go's reason only.
 */
import type { GoString } from './bytes.ts';
import { FuncError } from './errors.ts';
import type { FuncDef } from './func-def.ts';
import { hostname, parseUrl, UrlError, userinfoString, urlString, type GoUrl } from './go-url.ts';
import { kindName } from './sprig-lists.ts';
import { GoMap, type GoValue } from './values.ts';

function parse(raw: GoString, what: string): GoUrl {
  try {
    return parseUrl(raw);
  } catch (e) {
    if (e instanceof UrlError) throw new FuncError(`unable to parse ${what}: ${e.message}`);
    throw e;
  }
}

function urlParse(raw: GoString): GoMap {
  const u = parse(raw, 'url');
  const user = u.user === undefined ? '' : userinfoString(u.user);
  return new GoMap('any', new Map<GoString, GoValue>([
    ['scheme', u.scheme], ['host', u.host], ['hostname', hostname(u.host)], ['path', u.path], ['query', u.rawQuery],
    ['opaque', u.opaque], ['fragment', u.fragment], ['userinfo', user],
  ]));
}

const emptyUrl = (): GoUrl => ({
  scheme: '', opaque: '', user: undefined, host: '', path: '', rawPath: '', omitHost: false, forceQuery: false,
  rawQuery: '', fragment: '', rawFragment: '',
});

/** sprig's dictGetOrEmpty: the key's string, "" when missing; any other type fails as sprig panics. */
function field(d: GoMap, key: string): GoString {
  if (!d.entries.has(key)) return '';
  const v = d.entries.get(key);
  const kind = kindName(v);
  if (typeof v !== 'string') throw new FuncError(`unable to parse ${key} key, must be of type string, but ${kind} found`);
  return v;
}

function urlJoin(d: GoMap): GoString {
  const u = emptyUrl();
  u.scheme = field(d, 'scheme');
  u.host = field(d, 'host');
  u.path = field(d, 'path');
  u.rawQuery = field(d, 'query');
  u.opaque = field(d, 'opaque');
  u.fragment = field(d, 'fragment');
  const info = field(d, 'userinfo');
  if (info !== '') u.user = parse(`proto://${info}@host`, 'userinfo in dict').user;
  return urlString(u);
}

export const sprigUrl: Record<string, FuncDef> = {
  urlParse: { params: ['string'], call: ([raw]) => urlParse(raw as GoString) },
  urlJoin: { params: ['dict'], call: ([d]) => urlJoin(d as GoMap) },
};
