import { describe, expect, it } from 'vitest';
import { parseTemplate, renderTemplate, TemplateError } from '../../src/go/template/index.ts';
import { expectWithinLimits, failure } from '../helpers/template-budget.ts';
import { templateLimitCases } from './template-limit-cases.ts';

/**
 * A template can never hang or exhaust memory: each bound gives a TemplateError
 * that names it. Go has no such bounds, so these are ours, not ESO's.
 */
function render(template: string, data: Record<string, string> = {}): string {
  const bytes = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, new Uint8Array(Buffer.from(v))]));
  return Buffer.from(renderTemplate(parseTemplate('t', template), bytes)).toString();
}

describe('template limits', () => {
  it.each(templateLimitCases)('%s', (_name, template, error, data) => {
    expect(() => render(template, data)).toThrow(TemplateError);
    // Stopped at the bound: the work done is counted and no counter ran past it.
    const failed = failure(template, data);
    expect(failed.error.message).toContain(error);
    expectWithinLimits(failed.budget);
  });

  it('JSON deeper than Go accepts is invalid JSON: nil, as in ESO', () => {
    expect(render('{{ fromJson .j }}', { j: '['.repeat(20000) + ']'.repeat(20000) })).toBe('<no value>');
  });

  it('leaves room for real templates', () => {
    const json = JSON.stringify(Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`key${i}`, `value${i}`])));
    const out = render('{{ range $k, $v := fromJson .j }}{{ $k }}={{ $v | b64enc }}\n{{ end }}', { j: json });
    expect(out.split('\n')).toHaveLength(5001);
    expect(render('{{ range 99999 }}{{ end }}x')).toBe('x');
  });
});
