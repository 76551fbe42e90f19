import type { Action } from '../../model/actions.js';
import type { DecisionEvent } from '../../model/decision.js';
import { DISPATCHER_ON_CLOUDWATCH, type Deployment } from '../deployment.js';
import type { Policy } from '../policy.js';
import { type AlarmPeriod, type AlarmPeriodsState, emptyAlarmPeriods, foldAlarmPeriods } from './alarm-periods.js';
import { fmt } from './baseline-metrics.js';

export interface AlarmAutoscalerState {
  readonly periods: AlarmPeriodsState;
  /** `nowMs` of every UpdateShardCount asked for inside the rolling quota window, oldest first. */
  readonly updatesAtMs: readonly number[];
}

const RULE = 'alarm-autoscaler';
const MIB = 1024 * 1024;

/**
 * `alarm-autoscaler` — re-implementation of aws-samples/kinesis-auto-scaling (`README.md`, `golang/scale.go`):
 * two CloudWatch alarms on stream-level metric math drive uniform `UpdateShardCount`.
 *
 * Stream utilization of a period P = max(IncomingBytes / (1 MiB · P · shards), IncomingRecords / (1000 · P ·
 * shards)), summed over all shards from the shard metrics. Scale up (×2) when it is ≥ 0.75 in 5 of the last 5
 * periods; scale down (÷2) when it is < 0.25 in 57 of the last 60, where for scale-down the max iterator age
 * also counts (age / 30 min × 0.25, so a backlog of 30 min blocks it, as the sample's `e5` does). As in the
 * sample, `shards` is the current shard count applied to the whole history, so right after a scale the old
 * periods read lower (or higher) and the alarm re-arms on its own. A period with no data counts as zero.
 *
 * UpdateShardCount limits are respected: only while the stream is ACTIVE, at most 10 calls per rolling 24 h,
 * target within ×2 and ÷2 of the open shard count (rounded up, where the sample rounds down and would be
 * refused), within [`minShardCount`, `maxShardCount`]. A call refused by these limits is retried on later
 * ticks while the alarm still holds, as the sample's error handler re-arms its alarm. It never moves shards
 * between workers and cannot see a hot shard or key.
 *
 * Time base: CloudWatch evaluates an alarm every minute; one tick is one evaluation. The 5-min period, the
 * 30-min iterator-age guard and the 24-h quota window default to 5, 30 and 1440 ticks (exact on the aws
 * profile, where a tick is 60 s; proportionally compressed locally). Points arriving after their period has
 * closed are dropped, where CloudWatch would still count them.
 */
export const alarmAutoscalerPolicy: Policy<AlarmAutoscalerState> = {
  name: 'alarm-autoscaler',
  label: 'alarm-autoscaler (re-implementation of aws-samples/kinesis-auto-scaling: CloudWatch alarms, UpdateShardCount x2 / /2)',
  // Two stream-level sums per evaluation (IncomingBytes, IncomingRecords); it stays on Foreshadow's pool.
  deployment: { ...DISPATCHER_ON_CLOUDWATCH, metricsPerDecision: () => 2 } satisfies Deployment,
  initialState: () => ({ periods: emptyAlarmPeriods(), updatesAtMs: [] }),
  decide(view, config, state) {
    const cfg = config.baselines.alarmAutoscaler;
    const tickMs = config.tickIntervalMs;
    const periodMs = cfg.periodMs ?? 5 * tickMs;
    const minIteratorAgeMs = cfg.scaleDownMinIteratorAgeMs ?? 30 * tickMs;
    const windowMs = cfg.updateWindowMs ?? 1440 * tickMs;
    const keep = Math.max(cfg.scaleUpWindowPoints, cfg.scaleDownWindowPoints);

    const periods = foldAlarmPeriods(state.periods, view.shardMetrics, periodMs, keep);
    const updatesAtMs = state.updatesAtMs.filter((t) => t > view.nowMs - windowMs);
    const nextState = (extra: readonly number[] = []): AlarmAutoscalerState => ({ periods, updatesAtMs: [...updatesAtMs, ...extra] });
    const holdOnly = (reason: string) => ({ actions: [] as Action[], events: [hold(reason)], nextState: nextState() });

    const shards = view.partitions.filter((p) => p.state === 'OPEN').length;
    if (shards === 0) return holdOnly('the stream has no open shard');
    if (periods.closed.length === 0) return holdOnly(`no complete ${periodMs} ms alarm period yet`);

    const seconds = periodMs / 1000;
    const usage = (p: AlarmPeriod): number => Math.max(p.incomingBytes / (MIB * seconds * shards), p.incomingRecords / (1000 * seconds * shards));
    const usageForScaleDown = (p: AlarmPeriod): number => Math.max(usage(p), (p.iteratorAgeMsMax / minIteratorAgeMs) * cfg.scaleDownThreshold);

    const upWindow = periods.closed.slice(-cfg.scaleUpWindowPoints);
    const upBreaching = upWindow.filter((p) => usage(p) >= cfg.scaleUpThreshold).length;
    const downWindow = periods.closed.slice(-cfg.scaleDownWindowPoints);
    const downBreaching = downWindow.filter((p) => usageForScaleDown(p) < cfg.scaleDownThreshold).length;
    const newest = periods.closed[periods.closed.length - 1]!;
    const summary =
      `newest period utilization ${fmt(usage(newest))} over ${shards} shards; ` +
      `${upBreaching} of ${upWindow.length} ≥ ${cfg.scaleUpThreshold} (need ${cfg.scaleUpPoints} of ${cfg.scaleUpWindowPoints}), ` +
      `${downBreaching} of ${downWindow.length} < ${cfg.scaleDownThreshold} (need ${cfg.scaleDownPoints} of ${cfg.scaleDownWindowPoints})`;

    const direction = upBreaching >= cfg.scaleUpPoints ? 'up' : downBreaching >= cfg.scaleDownPoints ? 'down' : undefined;
    if (!direction) return holdOnly(`no alarm: ${summary}`);
    if (view.streamStatus !== 'ACTIVE') return holdOnly(`scale-${direction} alarm, but the stream is ${view.streamStatus}: UpdateShardCount needs ACTIVE`);
    if (updatesAtMs.length >= cfg.maxUpdatesPerWindow) {
      return holdOnly(`scale-${direction} alarm, but ${updatesAtMs.length} UpdateShardCount calls in the last ${windowMs} ms reach the limit of ${cfg.maxUpdatesPerWindow}`);
    }
    const target = direction === 'up' ? Math.min(2 * shards, cfg.maxShardCount) : Math.max(Math.ceil(shards / 2), cfg.minShardCount);
    if (direction === 'up' ? target <= shards : target >= shards) {
      return holdOnly(`scale-${direction} alarm, but ${shards} shards is already at the ${direction === 'up' ? 'maximum' : 'minimum'} (${direction === 'up' ? cfg.maxShardCount : cfg.minShardCount})`);
    }
    const action: Action = {
      type: 'update-shard-count',
      targetShardCount: target,
      reason: `scale-${direction} alarm: ${summary}; UpdateShardCount ${shards} → ${target} (call ${updatesAtMs.length + 1} of ${cfg.maxUpdatesPerWindow} in the rolling window)`,
    };
    return { actions: [action], events: [], nextState: nextState([view.nowMs]) };
  },
};

function hold(reason: string): DecisionEvent {
  return { type: 'hold', rule: RULE, reason };
}
