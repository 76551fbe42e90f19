import { aggregatesProcessor } from '../../processor/aggregates.processor.js';
import { createWorkerHandler } from './create-worker-handler.js';

/** The worker Lambda: the example per-key aggregates processor, wired from the environment (see infra/). */
export const handler = createWorkerHandler(aggregatesProcessor);
