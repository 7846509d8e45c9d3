import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTemplate, RenderBudget, renderTemplate, TemplateError } from '../../src/go/template/index.ts';
import { expectWithinLimits } from '../helpers/template-budget.ts';

/**
 * Runs f with a fresh budget and fails unless it returns or throws a TemplateError, with its work
 * counted and within the bounds (how long that work takes is measured by `make bench`).
 */
function onlyTemplateErrors(f: (budget: RenderBudget) => unknown): void {
  const budget = new RenderBudget();
  try {
    f(budget);
  } catch (e) {
    if (!(e instanceof TemplateError)) throw e;
  }
  expectWithinLimits(budget);
}

/** Pieces of template syntax, so that random input reaches deep into the parser. */
const syntax = fc.constantFrom(
  '{{', '}}', '{{- ', ' -}}', '{{/*', '*/}}', ' ', '\n', '.', '.a', '.b.c', '$', '$x', '$x := ', ' = ', ',', '"s"', '"\\x41"',
  "'c'", '`r`', '(', ')', '|', '1', '-1', '1.5', '0x1F', '1e3', 'if', 'else', 'end', 'range', 'with', 'break', 'continue',
  'nil', 'true', 'upper', 'len', 'printf', 'index', 'fromJson', 'toJson', 'list', 'dict', 'default', 'b64dec', 'and', 'or',
  'eq', 'define', 'template', '#', 'é', '"', '\\',
);
const soup = fc.array(fc.oneof(syntax, fc.string({ maxLength: 3 })), { maxLength: 40 }).map((parts) => parts.join(''));
const data = { a: new Uint8Array(Buffer.from('{"b":{"c":[1,"x",null]}}')), b: new Uint8Array([0, 255]) };

describe('template properties', () => {
  it('parsing any text returns a template or throws a TemplateError, its work counted within the bounds', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 }), soup), (text) => {
        onlyTemplateErrors((budget) => parseTemplate('x', text, budget));
      }),
      { numRuns: 2000 },
    );
  });

  it('rendering whatever parses returns bytes or throws a TemplateError, its work counted within the bounds', () => {
    fc.assert(
      fc.property(soup, (text) => {
        onlyTemplateErrors((budget) => renderTemplate(parseTemplate('x', text, budget), data, budget));
      }),
      { numRuns: 3000 },
    );
  });

  it('{{ .k }} renders the value bytes exactly', () => {
    const key = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,11}$/);
    fc.assert(
      fc.property(fc.dictionary(key, fc.uint8Array({ maxLength: 64 }), { minKeys: 1, maxKeys: 5 }), (values) => {
        const t = parseTemplate('x', Object.keys(values).map((k) => `{{ .${k} }}`).join('|'));
        const want = Buffer.concat(Object.values(values).flatMap((v, i) => (i === 0 ? [v] : [Buffer.from('|'), v])));
        expect(Buffer.from(renderTemplate(t, values)).equals(want)).toBe(true);
      }),
    );
  });

  it('values round-trip through b64enc and b64dec, and index reaches any key', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 20 }), fc.uint8Array({ maxLength: 64 }), (key, value) => {
        const quoted = JSON.stringify(key).replace(/\\u007f/g, '\\x7f');
        const t = parseTemplate('x', `{{ index . ${quoted} | b64enc | b64dec }}|{{ index . ${quoted} | b64enc }}`);
        const out = Buffer.from(renderTemplate(t, new Map([[key, value]])));
        expect(out.equals(Buffer.concat([value, Buffer.from('|' + Buffer.from(value).toString('base64'))]))).toBe(true);
      }),
    );
  });

  it('text without actions renders unchanged', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }).filter((s) => !s.includes('{{')), (text) => {
        expect(Buffer.from(renderTemplate(parseTemplate('x', text), {})).toString()).toBe(Buffer.from(text).toString());
      }),
    );
  });
});
