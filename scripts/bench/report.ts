/**
 * The printed table: one column per workload, each figure as baseline → now with the ratio (so
 * a regression shows), and PASS/FAIL against the target where it has one.
 */
import { figures, meets, type Calls, type Figure } from './figures.ts';
import type { WorkloadResult } from './result.ts';

/** The baseline entry measured on the same workload at the same size, if any. */
export function baselineFor(result: WorkloadResult, baseline: readonly WorkloadResult[]): WorkloadResult | undefined {
  return baseline.find((b) => b.workload === result.workload && b.externalSecrets === result.externalSecrets && b.awsSecrets === result.awsSecrets);
}

export function formatTable(results: readonly WorkloadResult[], baseline: readonly WorkloadResult[]): string {
  const compared = results.map((r) => ({ now: r, base: baselineFor(r, baseline) }));
  const operations = (calls: Calls) =>
    [...new Set(compared.flatMap(({ now, base }) => [now, base].flatMap((r) => (r ? Object.keys(calls(r) ?? {}) : []))))].sort();
  const rows = figures(operations).map((figure) => [figure.label, ...compared.map(({ now, base }) => {
    const value = figure.value(now);
    const before = base ? figure.value(base) : undefined;
    // A figure the baseline run did not measure (a later phase, or BENCH_PHASES left it out there).
    const isNew = base !== undefined && before == null && value != null;
    const shown = before == null ? `${format(value)}${isNew ? ' (new)' : ''}` : `${format(before)} → ${format(value)} ${ratio(before, value)}${worse(figure.better, before, value) ? ' WORSE' : ''}`;
    const target = judged(figure, now);
    return target ? `${shown}  ${meets(value, target) ? 'PASS' : 'FAIL'} ${target.op} ${format(target.value)}` : shown;
  })]);
  const header = ['figure (baseline → now ×ratio, WORSE past 10 %; target)', ...compared.map(({ now, base }) =>
    `${now.workload}: ${now.externalSecrets} ES / ${now.awsSecrets} AWS${base ? '' : ' (no baseline)'}`)];
  const widths = header.map((_, c) => Math.max(...[header, ...rows].map((row) => row[c]!.length)));
  const line = (row: string[]) => row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd();
  const failed = compared.flatMap(({ now }) => figures(operations).filter((f) => {
    const target = judged(f, now);
    return target && !meets(f.value(now), target);
  }).map((f) => `${now.workload} ${f.label.trim()}`));
  return [line(header), ...rows.map(line), '', `targets failed: ${failed.length ? failed.join('; ') : 'none'}`].join('\n');
}

/** A figure's target, where the phase that measures it ran. */
function judged(figure: Figure, r: WorkloadResult) {
  return !figure.ran || figure.ran(r) ? figure.target?.(r) : undefined;
}

// A figure that could not be measured is NaN in a run and null in its JSON (a baseline read back).
function format(n: number | undefined): string {
  if (n == null || Number.isNaN(n)) return '–';
  return Number.isInteger(n) ? String(n) : n.toFixed(n >= 100 ? 0 : n >= 10 ? 1 : 2);
}

/** A move of more than 10 % the wrong way (or from zero to more, for a lower-is-better count). */
function worse(better: 'lower' | 'higher' | undefined, before: number | undefined, now: number | undefined): boolean {
  if (!better || before == null || now == null || Number.isNaN(before) || Number.isNaN(now)) return false;
  return better === 'lower' ? now > before * 1.1 : now < before * 0.9;
}

function ratio(before: number | undefined, now: number | undefined): string {
  if (before == null || now == null || Number.isNaN(before) || Number.isNaN(now)) return '';
  if (before === 0) return now === 0 ? '×1' : '(was 0)';
  return `×${(now / before).toFixed(2)}`;
}
