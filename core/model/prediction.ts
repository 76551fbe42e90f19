/**
 * A prediction of a shard's utilization on one worker, measured by a shadow partition. Utilization is the
 * fraction of one worker slot the shard keeps busy (busy ms per second / 1000): a shard is processed
 * sequentially, so at 1.0 it cannot keep up and its iterator age grows.
 */
export interface Prediction {
  readonly shardId: string;
  readonly workerId: string;
  /** Predicted busy fraction of one slot on `workerId` when the prediction is scored (`settlePeriods` after a move). */
  readonly utilization: number;
  /** 95 % confidence interval of `utilization`, from the sample variance of per-record cost. */
  readonly low: number;
  readonly high: number;
  /** Records the shadow measured. */
  readonly samples: number;
  /** Replication rate (fraction 0..1) the samples were taken at. */
  readonly rate: number;
  /** Mean per-record busy time measured on the target, in ms (the sample's, at the sample's centre). */
  readonly meanCostMs: number;
  /**
   * The per-record cost `utilization` rests on: `meanCostMs` carried along the shadow's cost trend to when
   * the prediction is scored, in ms. Step 5 compares this with the observed cost. Absent in predictions
   * made before it existed; read `predictedCostMs(p)` to fall back to `meanCostMs`.
   */
  readonly projectedCostMs?: number;
  readonly madeAtMs: number;
}

/** The per-record cost a prediction's utilization rests on: the projected cost, or the sample mean when absent. */
export function predictedCostMs(p: Prediction): number {
  return p.projectedCostMs !== undefined && Number.isFinite(p.projectedCostMs) ? p.projectedCostMs : p.meanCostMs;
}

/** A prediction once it has been compared with what happened after the move. */
export interface ScoredPrediction {
  readonly prediction: Prediction;
  readonly observedUtilization: number;
  /** |predicted − observed| / observed. */
  readonly absolutePercentageError: number;
  readonly scoredAtMs: number;
}
