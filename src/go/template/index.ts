/**
 * ESO's template engine v2 for `spec.target.template`: Go's text/template with
 * sprig functions, reimplemented for the subset manifests use, so that a
 * manifest written for ESO renders the same bytes here. It renders data only:
 * no function reads files, the environment or the network.
 *
 * What ESO passes (runtime/template/v2/template.go, execute): the secret data
 * map[string][]byte converted to map[string]string, as the only top-level
 * value, and the option missingkey=error. So `{{ .password }}` prints the
 * value's bytes, `.` is a map[string]string (`get . "k"` is a type error in
 * ESO too), and a missing key is an error naming it. `index . "k"` gives ""
 * for a missing key, and `fromJson` turns every JSON number into a float64,
 * printed as Go prints one (1234567 as 1.234567e+06) and re-encoded by toJson
 * as JavaScript would (1234567).
 *
 * As in ESO, each template is parsed on its own: its {{define}}s and {{block}}s
 * are seen by its {{template}}s only. ESO's toYaml and fromYaml are there
 * (yaml-encode.ts, yaml-decode.ts).
 *
 * Not supported, each a TemplateError naming it: complex numbers; printf's #
 * flag and %x/%b of a float; sprig's semver (a Go Version with methods). Where Go
 * is random we are not: `keys` and `values` follow sorted keys. Limits (limits.ts) bound
 * time and memory, template calls included.
 */
import { fromByteString, toByteString } from '../bytes.ts';
import type { Template } from './ast.ts';
import { RenderBudget } from './budget.ts';
import { utf8 } from './bytes.ts';
import { FuncError, LimitError, TemplateError } from './errors.ts';
import { execute } from './evaluate.ts';
import { parseTemplate as parse } from './parser.ts';
import { GoMap } from './values.ts';

export { RenderBudget } from './budget.ts';
export { TemplateError } from './errors.ts';
export { limits as templateLimits } from './limits.ts';
export type { Template } from './ast.ts';

/** The secret data a template sees as `.`: key to value bytes. */
export type TemplateData = Readonly<Record<string, Uint8Array>> | ReadonlyMap<string, Uint8Array>;

/** Data converted once into the template's `.`, for rendering many templates over it. */
export class TemplateDot {
  readonly map: GoMap;

  constructor(data: TemplateData) {
    const entries = data instanceof Map ? [...data.entries()] : Object.entries(data);
    this.map = new GoMap('string', new Map(entries.map(([k, v]) => [utf8(k), toByteString(v)])), false);
  }
}

/** Anything but a TemplateError escaping is a bug; callers still get a TemplateError. */
function guard<T>(name: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof TemplateError) throw e;
    const detail = e instanceof Error ? e.message : String(e);
    const reason = e instanceof FuncError ? detail : `internal error: ${detail}`;
    throw new TemplateError(name, 1, 1, reason, { limit: e instanceof LimitError });
  }
}

/**
 * Parses a template once; the result renders any number of data maps. The source and the
 * tree's nodes are charged to `budget` (see limits.ts), a fresh one unless given.
 */
export function parseTemplate(name: string, text: string, budget = new RenderBudget()): Template {
  return guard(name, () => {
    budget.charge(text.length);
    return parse(name, text, budget);
  });
}

/**
 * Renders a parsed template: the exact bytes ESO would write for it. Steps, iterations and
 * work are spent from `budget`: pass one budget to every parse and render of a reconcile.
 */
export function renderTemplate(t: Template, data: TemplateData | TemplateDot, budget = new RenderBudget()): Uint8Array {
  return guard(t.name, () => {
    const dot = data instanceof TemplateDot ? data : new TemplateDot(data);
    return fromByteString(execute(t, dot.map, budget));
  });
}
