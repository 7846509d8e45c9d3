/**
 * Go's path package (Clean, Base, Dir, Ext, IsAbs), which sprig's base, dir, clean, ext and
 * isAbs are; its os* forms are path/filepath, the same on Linux, where ESO runs. Hand-written:
 * Clean's lexical rules must match Go byte for byte (node:path.posix.normalize keeps a
 * trailing slash and turns "" into ".", but differs on "a/../..": Go gives "..", as does Node,
 * yet Node keeps "./" prefixes and trailing slashes that Go drops).
 */
import type { GoString } from './bytes.ts';

/** path.Clean: the shortest equivalent path, by purely lexical processing. */
export function clean(p: GoString): GoString {
  if (p === '') return '.';
  const rooted = p[0] === '/';
  const out: string[] = [];
  let dotdot = 0; // elements of out that are ".." and cannot be backtracked over
  for (const element of p.split('/')) {
    if (element === '' || element === '.') continue;
    if (element === '..') {
      if (out.length > dotdot) out.pop();
      else if (!rooted) {
        out.push('..');
        dotdot = out.length;
      }
      continue;
    }
    out.push(element);
  }
  const joined = out.join('/');
  if (rooted) return '/' + joined;
  return joined === '' ? '.' : joined;
}

/** path.Base: the last element, trailing slashes removed; "." for "", "/" for slashes only. */
export function base(p: GoString): GoString {
  if (p === '') return '.';
  const trimmed = p.replace(/\/+$/, '');
  if (trimmed === '') return '/';
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** path.Dir: all but the last element, cleaned. */
export const dir = (p: GoString): GoString => clean(p.slice(0, p.lastIndexOf('/') + 1));

/** path.Ext: from the last dot of the last element, or "". */
export function ext(p: GoString): GoString {
  for (let i = p.length - 1; i >= 0 && p[i] !== '/'; i--) if (p[i] === '.') return p.slice(i);
  return '';
}

export const isAbs = (p: GoString): boolean => p.startsWith('/');
