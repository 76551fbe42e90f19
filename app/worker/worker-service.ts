import type { ShadowPartition } from '../../core/model/index.js';
import type { WorkerRequest, WorkerResponse } from '../../core/ports/index.js';
import type { Processor } from '../../processor/api.js';
import { isBatchHandlerProgram, type BatchHandlerProgram } from '../../processor/from-batch-handler.js';
import type { Telemetry } from '../telemetry.js';
import { runBatchHandlerPrimary, runBatchHandlerShadow } from './batch-handler-batch.js';
import { runPrimaryBatch } from './primary-batch.js';
import { runShadowBatch } from './shadow-batch.js';
import type { WorkerDeps } from './worker-deps.js';

export interface WorkerServiceOptions {
  /** How long the list of live shadows is reused before it is read again, in ms. @default 2000 */
  readonly shadowCacheMs?: number;
}

/**
 * One worker: runs a processor (or an existing Kinesis batch handler, `fromBatchHandler`) on the batches the
 * dispatcher sends, as owner (`primary`) or as a shadow.
 * Shared by the worker Lambda and the local runtime's in-process workers.
 */
export function createWorkerService<S>(processor: Processor<S> | BatchHandlerProgram, deps: WorkerDeps, telemetry: Telemetry, options: WorkerServiceOptions = {}) {
  const shadowCacheMs = options.shadowCacheMs ?? 2000;
  let shadows: { atMs: number; byId: Map<string, ShadowPartition> } | undefined;

  async function findShadow(shadowId: string): Promise<ShadowPartition | undefined> {
    const now = deps.clock.nowMs();
    if (!shadows || now - shadows.atMs > shadowCacheMs || !shadows.byId.has(shadowId)) {
      const list = await deps.metadata.listShadows();
      shadows = { atMs: now, byId: new Map(list.map((s) => [s.shadowId, s])) };
    }
    return shadows.byId.get(shadowId);
  }

  return {
    async handle(request: WorkerRequest): Promise<WorkerResponse> {
      const { response, figures } = isBatchHandlerProgram(processor)
        ? request.mode === 'shadow'
          ? await runBatchHandlerShadow(processor, request, deps, findShadow)
          : await runBatchHandlerPrimary(processor, request, deps)
        : request.mode === 'shadow'
          ? await runShadowBatch(processor, request, deps, findShadow)
          : await runPrimaryBatch(processor, request, deps);
      telemetry.workerBatch(figures);
      return response;
    },
  };
}

export type WorkerService = ReturnType<typeof createWorkerService>;
