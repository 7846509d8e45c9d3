import { describe, expect, it } from 'vitest';
import { parseTemplate, RenderBudget, TemplateError, templateLimits as limits } from '../../src/go/template/index.ts';
import { failure, renderWith } from '../helpers/template-budget.ts';

/**
 * Every bound is met while the value is built, not after: a failing render has done little
 * work, which the budget's counters show (no clocks, no heap sizes). One budget is shared by
 * every template of a reconcile.
 */
const MiB = 1 << 20;

describe('template bounds, met as values are built', () => {
  it('stops a chain of 2,000 quotes at the string bound, inside quote, after little work', () => {
    const { error, budget } = failure('{{ .v' + ' | quote'.repeat(2000) + ' }}', { v: 'a"b' });
    expect(error.limit).toBe(true);
    expect(error.message).toContain(`error calling quote: result exceeds the limit of ${limits.stringBytes} bytes`);
    // Each quote doubles the string, so the ~20 calls before the failing one built less than
    // twice the bound and read as much; the failing one read less than the bound and stopped
    // at it: under 5 times the bound in all (building each result whole first, as before,
    // would add the failing call's ~1.5 MiB).
    expect(budget.work).toBeGreaterThan(limits.stringBytes);
    expect(budget.work).toBeLessThan(5 * limits.stringBytes);
    expect(budget.steps).toBeLessThan(100);
  });

  it('stops quote at the bound rather than building the whole result first', () => {
    // 1 MiB of control bytes would quote to 4 MiB (\x01 each).
    const { error, budget } = failure('{{ quote .v }}', { v: new Uint8Array(MiB).fill(1) });
    expect(error.message).toContain('error calling quote: result exceeds the limit');
    // The input read, plus at most the bound built (charged in batches of 4 KiB).
    expect(budget.work).toBeLessThanOrEqual(MiB + limits.stringBytes + 4096);
  });

  it.each([
    ['printf with a wide verb over a list', `{{ printf "%100000v" (list ${Array.from({ length: 100 }, (_, i) => i).join(' ')}) }}`, 'error calling printf: result exceeds'],
    ['toPrettyJson of a deep list', `{{ $l := list 1 }}{{ range 900 }}{{ $l = list $l 1 }}{{ end }}{{ toPrettyJson $l }}`, 'error calling toPrettyJson: result exceeds'],
    ['html of escapes', '{{ html .v }}', 'error calling html: result exceeds'],
    ['urlquery of escapes', '{{ urlquery .v }}', 'error calling urlquery: result exceeds'],
    ['toJson of escapes', '{{ toJson .v }}', 'error calling toJson: result exceeds'],
    ['upper of runes that grow', '{{ upper .u }}', 'error calling upper: result exceeds'],
  ])('stops %s at the bound (and toJson does not swallow it)', (_what, template, message) => {
    const { error, budget } = failure(template, { v: '<'.repeat(600_000), u: '\u023f'.repeat(400_000) });
    expect(error.limit).toBe(true);
    expect(error.message).toContain(message);
    expect(budget.work).toBeLessThan(limits.workBytes);
  });

  it('refuses a split into a million parts before making them', () => {
    const template = '{{ splitList "" .v }}';
    const { error, budget } = failure(template, { v: 'x'.repeat(MiB) });
    expect(error.message).toContain(`error calling splitList: value size exceeds the limit of ${limits.valueBytes} bytes`);
    // Only the source and the argument were read: no element was charged, so none was made.
    expect(budget.work).toBe(template.length + MiB);
  });

  it('charges what fromJson makes by its memory, and stops it at the work bound', () => {
    const { error, budget } = failure('{{ fromJson .j }}', { j: '[' + Array(1_000_000).fill('[]').join(',') + ']' });
    expect(error.message).toContain(`error calling fromJson: functions processed more than the limit of ${limits.workBytes} bytes`);
    expect(budget.work).toBeLessThan(limits.workBytes + 4096);
  });

  it('bounds the parse tree as it is made', () => {
    const budget = new RenderBudget();
    const error = (() => {
      try {
        parseTemplate('t', '{{(((1)))}}'.repeat(100_000), budget);
      } catch (e) {
        return e as TemplateError;
      }
      throw new Error('expected a TemplateError');
    })();
    expect(error.limit).toBe(true);
    expect(error.message).toContain(`parse tree exceeds the limit of ${limits.parseNodes} nodes`);
    expect(budget.parseNodes).toBe(limits.parseNodes + 1);
  });

  it('marks only bounds as limits: a missing key is not one', () => {
    expect(failure('{{ .nope }}').error.limit).toBe(false);
    expect(failure('{{ range 200000 }}{{ end }}').error.limit).toBe(true);
    expect(failure(`{{ ${'('.repeat(200)}1${')'.repeat(200)} }}`).error.limit).toBe(true);
  });

  it('shares one budget between the templates of a reconcile', () => {
    const template = '{{ range 60000 }}{{ end }}ok';
    const budget = new RenderBudget();
    expect(renderWith(budget, template)).toBe('ok');
    expect(budget.iterations).toBe(60000);
    // Alone the second render passes; after the first, the range bound is reached.
    expect(renderWith(new RenderBudget(), template)).toBe('ok');
    expect(() => renderWith(budget, template)).toThrow(`range loops exceed the limit of ${limits.rangeIterations} iterations`);
  });

  it('counts the work of every function call against the shared budget', () => {
    const budget = new RenderBudget();
    const template = '{{ $s := repeat 1000000 "x" }}{{ len $s }}';
    // Each render builds 1 MB and reads it once: 2 MB of work.
    for (let i = 0; i < 4; i++) expect(renderWith(budget, template)).toBe('1000000');
    expect(() => renderWith(budget, template)).toThrow('functions processed more than the limit');
  });

  it('leaves room for a Secret-sized render', () => {
    const budget = new RenderBudget();
    const value = 'v'.repeat(700_000);
    expect(renderWith(budget, '{{ .v | b64enc | b64dec | quote | len }}', { v: value })).toBe('700002');
    expect(renderWith(budget, '{{ range $k, $v := . }}{{ len $v }}{{ end }}', { a: 'x'.repeat(MiB - 1), b: 'y' })).toBe('10485751');
  });
});
