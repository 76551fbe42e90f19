import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { systemClock, sleep } from '../../adapters/local/system-clock.js';
import { createDispatcher, type Dispatcher, type DispatcherDeps, type DispatcherOptions } from '../../app/dispatch/dispatcher.js';
import { shardBatches } from '../../app/dispatch/kinesis-event.js';
import { AggregatedTelemetry } from '../../app/telemetry.aggregated.js';
import { EmfTelemetry } from '../../app/telemetry.emf.js';

export type DispatcherHandlerDeps = Pick<DispatcherDeps, 'metadata' | 'stream' | 'invoker'> &
  Partial<Pick<DispatcherDeps, 'clock' | 'sleep' | 'telemetry' | 'mappingStart' | 'crashPoint' | 'load' | 'lanePool'>> & { readonly options?: DispatcherOptions };

/**
 * Builds the dispatcher Lambda handler: the stream's only event source mapping target. For each shard batch
 * it routes to the owner and the shadows (app/dispatch/dispatcher.ts) and returns the owner's
 * `batchItemFailures` (ReportBatchItemFailures). Batches of several shards in one event, which a Kinesis ESM
 * does not produce, are dispatched one after the other.
 */
export function createDispatcherHandler(deps: DispatcherHandlerDeps | (() => DispatcherHandlerDeps)) {
  const logger = new Logger({ serviceName: 'foreshadow-dispatcher' });
  let dispatcher: Dispatcher | undefined;
  const build = (): Dispatcher => {
    const d = typeof deps === 'function' ? deps() : deps;
    const clock = d.clock ?? systemClock;
    return createDispatcher(
      {
        metadata: d.metadata,
        stream: d.stream,
        invoker: d.invoker,
        clock,
        sleep: d.sleep ?? sleep,
        // EMF added up per execution environment over 20 s, not a line per batch (app/telemetry.aggregated.ts).
        telemetry: d.telemetry ?? new AggregatedTelemetry(new EmfTelemetry(), clock),
        ...(d.mappingStart === undefined ? {} : { mappingStart: d.mappingStart }),
        ...(d.crashPoint === undefined ? {} : { crashPoint: d.crashPoint }),
        ...(d.load === undefined ? {} : { load: d.load }),
        ...(d.lanePool === undefined ? {} : { lanePool: d.lanePool }),
      },
      d.options,
    );
  };
  return middy(async (event: KinesisStreamEvent, context: Context): Promise<KinesisStreamBatchResponse> => {
    dispatcher ??= build();
    const failures: KinesisStreamBatchResponse['batchItemFailures'] = [];
    for (const batch of shardBatches(event)) {
      const result = await dispatcher.dispatch(batch, () => context.getRemainingTimeInMillis());
      if (result.batchItemFailures.length > 0) logger.info('batch handed back', { shardId: batch.shardId, records: batch.records.length, failed: result.batchItemFailures.length });
      failures.push(...result.batchItemFailures);
    }
    return { batchItemFailures: failures };
  }).use(injectLambdaContext(logger));
}
