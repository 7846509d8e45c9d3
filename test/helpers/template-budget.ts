import { expect } from 'vitest';
import { parseTemplate, RenderBudget, renderTemplate, TemplateError, templateLimits as limits } from '../../src/go/template/index.ts';

/** Parses and renders `template` over `data`, both spending from `budget`; the output as UTF-8. */
export function renderWith(budget: RenderBudget, template: string, data: Record<string, string | Uint8Array> = {}): string {
  const bytes = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, typeof v === 'string' ? new Uint8Array(Buffer.from(v)) : v]));
  return Buffer.from(renderTemplate(parseTemplate('t', template, budget), bytes, budget)).toString();
}

/** The TemplateError a render throws, and the work it did before. */
export function failure(template: string, data: Record<string, string | Uint8Array> = {}): { error: TemplateError; budget: RenderBudget } {
  const budget = new RenderBudget();
  try {
    renderWith(budget, template, data);
  } catch (error) {
    expect(error).toBeInstanceOf(TemplateError);
    return { error: error as TemplateError, budget };
  }
  throw new Error('expected a TemplateError');
}

/**
 * No counter of the budget went past its bound by more than what tripped it: one step, iteration
 * or node, or one charge of work (at most a string's or a value's bound). What the work costs in
 * time is measured by `make bench` (scripts/bench-limits.ts), not asserted in tests.
 */
export function expectWithinLimits(budget: RenderBudget): void {
  expect(budget.steps, 'evaluation steps').toBeLessThanOrEqual(limits.steps + 1);
  expect(budget.iterations, 'range iterations').toBeLessThanOrEqual(limits.rangeIterations + 1);
  expect(budget.parseNodes, 'parse-tree nodes').toBeLessThanOrEqual(limits.parseNodes + 1);
  expect(budget.work, 'work').toBeLessThanOrEqual(limits.workBytes + Math.max(limits.stringBytes, limits.valueBytes));
}
