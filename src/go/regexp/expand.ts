/**
 * Go's Regexp.Expand, which re2js lacks (its replacement strings follow Java's or JavaScript's
 * rules): `$1`, `${1}`, `$name`, `${name}` and `$$`. A reference takes every letter, digit and `_`
 * after the `$`, so `$1x` names the group "1x" (Java reads group 1, then "x"); a group that does
 * not exist or did not take part in the match expands to nothing; a malformed `$` is kept as text.
 */

/** A template, parsed: text, and references to groups by index or name. */
export type Template = readonly (string | { readonly index: number; readonly name: string })[];

/** Templates parsed, so a rewrite over many keys parses its target once. */
const templates = new Map<string, Template>();

export function parseTemplate(template: string): Template {
  let pieces = templates.get(template);
  if (pieces !== undefined) return pieces;
  const out: (Template[number])[] = [];
  let text: string[] = [];
  const flush = (): void => {
    const joined = text.join('');
    if (joined !== '') out.push(joined);
    text = [];
  };
  let rest = template;
  for (;;) {
    const dollar = rest.indexOf('$');
    if (dollar < 0) break;
    text.push(rest.slice(0, dollar));
    rest = rest.slice(dollar + 1);
    if (rest.startsWith('$')) {
      text.push('$');
      rest = rest.slice(1);
      continue;
    }
    const ref = /^(?:\{([\p{L}\p{Nd}_]+)\}|([\p{L}\p{Nd}_]+))/u.exec(rest);
    if (!ref) {
      text.push('$');
      continue;
    }
    rest = rest.slice(ref[0].length);
    const name = ref[1] ?? ref[2]!;
    flush();
    // Digits (no leading zero, at most nine) are a group index; anything else a group name.
    out.push({ index: /^(?:0|[1-9][0-9]{0,8})$/.test(name) ? Number(name) : -1, name });
  }
  text.push(rest);
  flush();
  pieces = out;
  if (templates.size >= 256) templates.delete(templates.keys().next().value!);
  templates.set(template, pieces);
  return pieces;
}

/**
 * Writes one match's expansion. `match` holds the UTF-16 bounds of each group in `src` (-1 for a
 * group that did not match); `names` the group names by index. Each piece is a `step`, so
 * references to absent groups cannot spin for free; each group's text is made once per match.
 */
export function expand(
  template: Template,
  names: readonly string[],
  src: string,
  match: readonly number[],
  step: () => void,
  write: (s: string) => void,
): void {
  const groups: (string | undefined)[] = [];
  for (const piece of template) {
    step();
    if (typeof piece === 'string') {
      write(piece);
      continue;
    }
    // By name, the first group of that name that matched (Go allows several).
    const group = piece.index >= 0 ? piece.index : names.findIndex((n, i) => n === piece.name && match[2 * i]! >= 0);
    if (group >= 0 && group < names.length && match[2 * group]! >= 0) {
      write((groups[group] ??= src.slice(match[2 * group], match[2 * group + 1])));
    }
  }
}
