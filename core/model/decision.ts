import type { Action } from './actions.js';
import type { ScoredPrediction } from './prediction.js';

/**
 * Every policy rule answers in one of three ways (STYLE 4): act, hold with a reason, or not applicable.
 * Holds are recorded too, so the audit log explains why nothing happened.
 */
export type RuleOutcome<A extends Action = Action> =
  | { readonly kind: 'act'; readonly action: A }
  | { readonly kind: 'hold'; readonly reason: string }
  | { readonly kind: 'not-applicable' };

/** Something a decision wants recorded in the audit log (besides the actions themselves). */
export type DecisionEvent =
  | { readonly type: 'hold'; readonly shardId?: string; readonly rule: string; readonly reason: string }
  | { readonly type: 'hot-detected'; readonly shardId: string; readonly utilization: number; readonly forecast: number; readonly reason: string }
  | { readonly type: 'prediction-scored'; readonly shardId: string; readonly score: ScoredPrediction }
  | { readonly type: 'rate-adapted'; readonly shardId: string; readonly from: number; readonly to: number; readonly reason: string }
  | { readonly type: 'follow-up-needed'; readonly reason: string };

/** The result of one tick: what to do, what to record, and the policy's state for the next tick. */
export interface Decision<S> {
  readonly actions: readonly Action[];
  readonly events: readonly DecisionEvent[];
  readonly nextState: S;
}
