/**
 * bench/results/latest.svg: AWS calls (cold sync, one periodic cycle with nothing changed) and
 * resident memory against the number of ExternalSecrets, now (solid) and in the baseline
 * (dashed). Hand-written SVG: two small log/linear panels need no plotting library.
 */
import type { WorkloadResult } from './result.ts';
import { baselineFor } from './report.ts';
import { total } from './apiserver-requests.ts';

interface Series {
  name: string;
  color: string;
  dashed: boolean;
  points: { x: number; y: number }[];
}

const W = 360;
/** The plot's height; the legend goes below it, two entries a row, clear of the data. */
const H = 240;
const LEGEND_ROW = 14;
const M = { left: 56, right: 12, top: 28, bottom: 40 };

export function plotSvg(results: readonly WorkloadResult[], baseline: readonly WorkloadResult[]): string {
  const sorted = [...results].sort((a, b) => a.externalSecrets - b.externalSecrets);
  const bases = sorted.map((r) => baselineFor(r, baseline)).filter((b): b is WorkloadResult => b !== undefined);
  // A run without a phase (BENCH_PHASES) has no point for its figures.
  const points = (runs: readonly WorkloadResult[], of: (r: WorkloadResult) => number | undefined) =>
    runs.flatMap((r) => {
      const y = of(r);
      return y === undefined ? [] : [{ x: r.externalSecrets, y }];
    });
  const series = (name: string, color: string, of: (r: WorkloadResult) => number | undefined): Series[] => [
    { name, color, dashed: false, points: points(sorted, of) },
    { name: `${name} (baseline)`, color, dashed: true, points: points(bases, of) },
  ];
  const calls = [
    ...series('cold sync', '#c0392b', (r) => total(r.cold.awsCalls)),
    ...series('periodic cycle', '#2471a3', (r) => (r.periodic ? total(r.periodic.unchanged.awsCalls) : undefined)),
  ];
  const memory = series('resident', '#1e8449', (r) => r.memory?.rssMiB);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * W}" height="${H + 2 * LEGEND_ROW + 8}" font-family="sans-serif" font-size="11">`,
    '<rect width="100%" height="100%" fill="white"/>',
    panel(0, 'AWS calls', calls, true),
    panel(W, 'resident memory, MiB', memory, false),
    '</svg>',
    '',
  ].join('\n');
}

function panel(offsetX: number, title: string, series: Series[], logY: boolean): string {
  const all = series.flatMap((s) => s.points);
  const xs = all.map((p) => p.x);
  const [xMin, xMax] = [Math.min(...xs), Math.max(...xs)];
  const yMax = Math.max(1, ...all.map((p) => p.y)) * 1.1;
  const fy = logY ? (y: number) => Math.log10(Math.max(1, y)) / Math.log10(Math.max(10, yMax)) : (y: number) => y / yMax;
  // Workloads grow tenfold: x on a log scale, one point alone in the middle.
  const fx = (x: number) => (xMax === xMin ? 0.5 : Math.log10(x / xMin) / Math.log10(xMax / xMin));
  const px = (x: number) => round(offsetX + M.left + fx(x) * (W - M.left - M.right));
  const py = (y: number) => round(H - M.bottom - fy(y) * (H - M.top - M.bottom));
  const out = [`<text x="${offsetX + M.left}" y="16" font-weight="bold">${title}${logY ? ' (log)' : ''}</text>`];
  if (!all.length) return out.join('\n');
  out.push(`<line x1="${px(xMin) - 8}" y1="${H - M.bottom}" x2="${offsetX + W - M.right}" y2="${H - M.bottom}" stroke="#999"/>`);
  for (const x of [...new Set(xs)]) out.push(`<text x="${px(x)}" y="${H - M.bottom + 14}" text-anchor="middle">${x}</text>`);
  out.push(`<text x="${offsetX + W / 2}" y="${H - 8}" text-anchor="middle">ExternalSecrets</text>`);
  const ticks = logY ? [1, 10, 100, 1000, 10_000, 100_000].filter((t) => t <= yMax) : [0, 0.25, 0.5, 0.75, 1].map((f) => Math.round(f * yMax));
  for (const t of ticks) {
    out.push(`<text x="${offsetX + M.left - 6}" y="${py(t) + 4}" text-anchor="end">${t}</text>`);
    out.push(`<line x1="${offsetX + M.left}" y1="${py(t)}" x2="${offsetX + W - M.right}" y2="${py(t)}" stroke="#eee"/>`);
  }
  series.forEach((s, i) => {
    if (!s.points.length) return;
    const dash = s.dashed ? ' stroke-dasharray="4 3"' : '';
    out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2"${dash} points="${s.points.map((p) => `${px(p.x)},${py(p.y)}`).join(' ')}"/>`);
    for (const p of s.points) out.push(`<circle cx="${px(p.x)}" cy="${py(p.y)}" r="3" fill="${s.dashed ? 'white' : s.color}" stroke="${s.color}"><title>${s.name}: ${p.y}</title></circle>`);
    const [lx, ly] = [offsetX + M.left + (i % 2) * 150, H + 4 + Math.floor(i / 2) * LEGEND_ROW];
    out.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 20}" y2="${ly}" stroke="${s.color}" stroke-width="2"${dash}/>`);
    out.push(`<text x="${lx + 24}" y="${ly + 4}">${s.name}</text>`);
  });
  return out.join('\n');
}

const round = (n: number) => Math.round(n * 10) / 10;
