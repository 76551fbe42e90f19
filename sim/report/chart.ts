import type { LogEntry, TimelinePoint } from '../engine/stats.js';

const W = 960;
const H = 360;
const PAD = { left: 50, right: 150, top: 30, bottom: 40 };
const COLORS = ['#1f77b4', '#2ca02c', '#9467bd', '#8c564b', '#17becf', '#bcbd22', '#7f7f7f', '#e377c2'];
const MARKERS = {
  'create-shadow': { color: '#6a3d9a', shape: 'triangle', label: 'shadow created' },
  move: { color: '#ff7f0e', shape: 'circle', label: 'move' },
  split: { color: '#d62728', shape: 'diamond', label: 'split' },
  'update-shard-count': { color: '#000000', shape: 'square', label: 'update-shard-count' },
} as const;

/**
 * An SVG line chart of one run: each worker's utilization (busy share of its primary slots) and
 * the busiest shard's utilization over time, with markers for shadows created, moves and splits.
 */
export function utilizationChart(title: string, timeline: readonly TimelinePoint[], log: readonly LogEntry[]): string {
  const endMs = timeline[timeline.length - 1]?.atMs ?? 1;
  const workerIds = Object.keys(timeline[0]?.workerUtilization ?? {});
  const yMax = Math.max(1.2, ...timeline.map((p) => p.maxShardUtilization), ...timeline.flatMap((p) => Object.values(p.workerUtilization)));
  const x = (ms: number): number => PAD.left + ((W - PAD.left - PAD.right) * ms) / endMs;
  const y = (u: number): number => H - PAD.bottom - ((H - PAD.top - PAD.bottom) * u) / yMax;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`);
  parts.push(`<rect width="${W}" height="${H}" fill="white"/><text x="${PAD.left}" y="18" font-size="13">${escapeXml(title)}</text>`);
  for (let u = 0; u <= yMax + 1e-9; u += 0.25) {
    parts.push(`<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(u).toFixed(1)}" y2="${y(u).toFixed(1)}" stroke="${u === 1 ? '#d62728' : '#eee'}"/>`);
    parts.push(`<text x="${PAD.left - 6}" y="${(y(u) + 4).toFixed(1)}" text-anchor="end">${u.toFixed(2)}</text>`);
  }
  for (let m = 0; m <= endMs / 60_000; m += 10) parts.push(`<text x="${x(m * 60_000).toFixed(1)}" y="${H - PAD.bottom + 16}" text-anchor="middle">${m}m</text>`);
  const series = [...workerIds.map((id, i) => ({ name: id, color: COLORS[i % COLORS.length]!, dash: '', get: (p: TimelinePoint) => p.workerUtilization[id] ?? 0 })), { name: 'busiest shard', color: '#d62728', dash: ' stroke-dasharray="4 3"', get: (p: TimelinePoint) => p.maxShardUtilization }];
  series.forEach((s, i) => {
    const d = timeline.map((p, j) => `${j === 0 ? 'M' : 'L'}${x(p.atMs).toFixed(1)},${y(s.get(p)).toFixed(1)}`).join('');
    parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.5"${s.dash}/>`);
    parts.push(`<line x1="${W - PAD.right + 10}" x2="${W - PAD.right + 30}" y1="${PAD.top + 14 * i}" y2="${PAD.top + 14 * i}" stroke="${s.color}" stroke-width="2"${s.dash}/><text x="${W - PAD.right + 35}" y="${PAD.top + 14 * i + 4}">${escapeXml(s.name)}</text>`);
  });
  Object.values(MARKERS).forEach((m, i) => {
    const ly = PAD.top + 14 * (series.length + 1 + i);
    parts.push(`${marker(m.shape, W - PAD.right + 20, ly, m.color)}<text x="${W - PAD.right + 35}" y="${ly + 4}">${m.label}</text>`);
  });
  for (const e of log) {
    if (e.kind !== 'action' || !e.applied || !(e.action.type in MARKERS)) continue;
    const m = MARKERS[e.action.type as keyof typeof MARKERS];
    parts.push(`${marker(m.shape, x(e.atMs), PAD.top + 4, m.color)}<line x1="${x(e.atMs).toFixed(1)}" x2="${x(e.atMs).toFixed(1)}" y1="${PAD.top + 8}" y2="${H - PAD.bottom}" stroke="${m.color}" stroke-opacity="0.25"/>`);
  }
  parts.push('</svg>');
  return parts.join('\n');
}

function marker(shape: string, cx: number, cy: number, color: string): string {
  const px = cx.toFixed(1);
  const py = cy.toFixed(1);
  switch (shape) {
    case 'triangle':
      return `<path d="M${px},${(cy - 5).toFixed(1)}l5,9h-10z" fill="${color}"/>`;
    case 'diamond':
      return `<path d="M${px},${(cy - 5).toFixed(1)}l5,5l-5,5l-5,-5z" fill="${color}"/>`;
    case 'square':
      return `<rect x="${(cx - 4).toFixed(1)}" y="${(cy - 4).toFixed(1)}" width="8" height="8" fill="${color}"/>`;
    default:
      return `<circle cx="${px}" cy="${py}" r="4" fill="${color}"/>`;
  }
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
