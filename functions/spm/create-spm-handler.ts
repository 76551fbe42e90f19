import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { systemClock } from '../../adapters/local/system-clock.js';
import { runSpmTick, type SpmTickDeps, type TickReport } from '../../app/spm/spm-tick.js';
import { METRICS_NAMESPACE, SPM_METRICS } from '../../definitions/metrics.js';

export type SpmHandlerDeps = Omit<SpmTickDeps, 'tickId' | 'clock'> & Partial<Pick<SpmTickDeps, 'clock'>>;

export interface SpmHandlerResult {
  readonly tickId: string;
  readonly claimed: boolean;
  readonly discovered: readonly string[];
  readonly applied: number;
  readonly rejected: number;
  readonly events: number;
}

/**
 * Builds the scheduled SPM Lambda handler: one load → decide → apply tick per invocation (app/spm/spm-tick.ts),
 * its summary logged and its SPM_METRICS emitted (dimensionless, definitions/metrics.ts).
 */
export function createSpmHandler(deps: SpmHandlerDeps | (() => SpmHandlerDeps)) {
  const logger = new Logger({ serviceName: 'foreshadow-spm' });
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE });
  metrics.clearDefaultDimensions();
  let resolved: SpmHandlerDeps | undefined;
  return middy(async (_event: unknown, context: Context): Promise<SpmHandlerResult> => {
    resolved ??= typeof deps === 'function' ? deps() : deps;
    const clock = resolved.clock ?? systemClock;
    const started = clock.nowMs();
    const report = await runSpmTick({ ...resolved, clock, tickId: context.awsRequestId });
    emitTickMetrics(metrics, report, clock.nowMs() - started, await resolved.metadata.listShadows());
    const summary = {
      tickId: report.tickId,
      claimed: report.claimed,
      discovered: report.discovered,
      applied: report.results.filter((r) => r.applied).length,
      rejected: report.results.filter((r) => !r.applied).length,
      events: report.events.length,
    };
    logger.info('tick', { ...summary, results: report.results.map((r) => ({ type: r.action.type, applied: r.applied, detail: r.detail, reason: r.action.reason })) });
    return summary;
  })
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics));
}

function emitTickMetrics(metrics: Metrics, report: TickReport, durationMs: number, shadows: readonly { rate: number }[]): void {
  const applied = report.results.filter((r) => r.applied).map((r) => r.action.type);
  metrics.addMetric(SPM_METRICS.liveShadows.name, MetricUnit.Count, shadows.length);
  if (shadows.length > 0) metrics.addMetric(SPM_METRICS.shadowReplicationRate.name, MetricUnit.NoUnit, shadows.reduce((s, x) => s + x.rate, 0) / shadows.length);
  metrics.addMetric(SPM_METRICS.moves.name, MetricUnit.Count, applied.filter((t) => t === 'move').length);
  metrics.addMetric(SPM_METRICS.splits.name, MetricUnit.Count, applied.filter((t) => t === 'split').length);
  for (const event of report.events) {
    if (event.type !== 'prediction-scored') continue;
    metrics.addMetric(SPM_METRICS.predictedUtilization.name, MetricUnit.NoUnit, event.score.prediction.utilization);
    metrics.addMetric(SPM_METRICS.observedUtilization.name, MetricUnit.NoUnit, event.score.observedUtilization);
    metrics.addMetric(SPM_METRICS.predictionError.name, MetricUnit.NoUnit, event.score.absolutePercentageError);
  }
  metrics.addMetric(SPM_METRICS.tickDurationMs.name, MetricUnit.Milliseconds, durationMs);
}
