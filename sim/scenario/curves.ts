import type { Curve } from './schema.js';

const MS_PER_MIN = 60_000;

/** The value of a curve at `tMs` (scenario time in ms). Pure and cheap: called per region per step. */
export function curveAt(curve: Curve, tMs: number): number {
  const tMin = tMs / MS_PER_MIN;
  switch (curve.kind) {
    case 'constant':
      return curve.value;
    case 'step':
      return tMin < curve.atMin ? curve.from : curve.to;
    case 'ramp': {
      if (tMin <= curve.startMin) return curve.from;
      if (tMin >= curve.endMin) return curve.to;
      return curve.from + ((curve.to - curve.from) * (tMin - curve.startMin)) / (curve.endMin - curve.startMin);
    }
    case 'diurnal':
      return Math.max(0, curve.mean * (1 + curve.amplitude * Math.cos((2 * Math.PI * (tMin - curve.peakAtMin)) / curve.periodMin)));
    case 'points':
      return pointsAt(curve.points, tMin);
  }
}

function pointsAt(points: readonly { atMin: number; value: number }[], tMin: number): number {
  const first = points[0]!;
  if (tMin <= first.atMin) return first.value;
  for (let i = 1; i < points.length; i++) {
    const b = points[i]!;
    if (tMin <= b.atMin) {
      const a = points[i - 1]!;
      return b.atMin === a.atMin ? b.value : a.value + ((b.value - a.value) * (tMin - a.atMin)) / (b.atMin - a.atMin);
    }
  }
  return points[points.length - 1]!.value;
}
