/**
 * Holt's double exponential smoothing (level + trend) over an irregularly spaced series.
 *
 * Why Holt: a shard that ramps up over tens of minutes has a trend the SPM must extrapolate to act before
 * the overload, and a single EMA lags a ramp by design. The trend is kept per millisecond so that gaps of
 * any length (a missed metric period, a late CloudWatch point) are handled without resampling: the
 * smoothing weights are scaled to the gap, as if the missing periods had been smoothed one by one.
 */
export interface HoltParams {
  /** Weight of a new observation in the level, for a gap of one `referencePeriodMs` (0 < α ≤ 1). */
  readonly levelSmoothing: number;
  /** Weight of a new slope in the trend, for a gap of one `referencePeriodMs` (0 ≤ β ≤ 1). */
  readonly trendSmoothing: number;
  /** The nominal spacing of the series, in ms; longer gaps weigh the new point more. */
  readonly referencePeriodMs: number;
}

/** The smoothed state after the last point; plain numbers so that it survives JSON. */
export interface HoltState {
  readonly level: number;
  /** Change of the level per ms. */
  readonly trendPerMs: number;
  /** Time of the last point folded in. */
  readonly atMs: number;
  /** Points folded in so far. */
  readonly count: number;
}

export interface SeriesPoint {
  readonly atMs: number;
  readonly value: number;
}

/** Weight for a gap of `gapMs`: 1 − (1 − w)^(gap / period), so that k missed periods count as k steps. */
function gapWeight(weight: number, gapMs: number, periodMs: number): number {
  if (weight >= 1) return 1;
  if (weight <= 0) return 0;
  return 1 - Math.pow(1 - weight, Math.max(gapMs, 1) / periodMs);
}

/**
 * Folds one point into the state. The first point sets the level; the second sets the trend from the
 * slope between the two (the textbook initialisation). A point at or before the state's time cannot carry
 * a slope, so it only nudges the level.
 */
export function holtUpdate(state: HoltState | undefined, point: SeriesPoint, params: HoltParams): HoltState {
  const { atMs, value } = point;
  if (!Number.isFinite(value)) return state ?? { level: 0, trendPerMs: 0, atMs, count: 0 };
  if (!state || state.count === 0) return { level: value, trendPerMs: 0, atMs, count: 1 };
  const gapMs = atMs - state.atMs;
  if (gapMs <= 0) {
    const level = params.levelSmoothing * value + (1 - params.levelSmoothing) * state.level;
    return { ...state, level, count: state.count + 1 };
  }
  if (state.count === 1) {
    return { level: value, trendPerMs: (value - state.level) / gapMs, atMs, count: 2 };
  }
  const alpha = gapWeight(params.levelSmoothing, gapMs, params.referencePeriodMs);
  const beta = gapWeight(params.trendSmoothing, gapMs, params.referencePeriodMs);
  const projected = state.level + state.trendPerMs * gapMs;
  const level = alpha * value + (1 - alpha) * projected;
  const trendPerMs = beta * ((level - state.level) / gapMs) + (1 - beta) * state.trendPerMs;
  return { level, trendPerMs, atMs, count: state.count + 1 };
}

/** Smooths a whole series (sorted by time here, so callers may pass points in any order). */
export function holtSmooth(points: readonly SeriesPoint[], params: HoltParams, from?: HoltState): HoltState | undefined {
  const sorted = [...points].sort((a, b) => a.atMs - b.atMs);
  let state = from;
  for (const p of sorted) state = holtUpdate(state, p, params);
  return state;
}

/**
 * The level extrapolated to `atMs` along the trend. A forecast is never negative (loads are not), and a
 * state built from one point is flat.
 */
export function holtForecast(state: HoltState | undefined, atMs: number, damping?: TrendDamping): number {
  if (!state || state.count === 0) return 0;
  const aheadMs = Math.max(0, atMs - state.atMs);
  return Math.max(0, state.level + state.trendPerMs * dampedSpanMs(aheadMs, damping));
}

/**
 * Damped trend (Gardner & McKenzie): each period ahead the trend counts `perPeriod` times as much as
 * the period before, so a trend learnt from a step or a short ramp does not run away over a long horizon.
 */
export interface TrendDamping {
  /** 0 < φ ≤ 1; 1 is the undamped linear extrapolation. */
  readonly perPeriod: number;
  readonly periodMs: number;
}

/** The time span the trend is multiplied by: Σ φ^i over the periods ahead (in ms), = aheadMs when φ = 1. */
export function dampedSpanMs(aheadMs: number, damping?: TrendDamping): number {
  if (!damping || damping.perPeriod >= 1 || damping.periodMs <= 0) return aheadMs;
  const phi = Math.max(0, damping.perPeriod);
  const periods = aheadMs / damping.periodMs;
  return damping.periodMs * ((phi * (1 - Math.pow(phi, periods))) / (1 - phi));
}
