import { requireInteger, requireNumber, requireString } from './validate.js';

/**
 * A worker node: on AWS a worker Lambda function of one memory size; `slots` is its reserved concurrency,
 * i.e. how many shards it can process at once (one slot per shard, since a shard is sequential).
 */
export interface WorkerNodeMetadata {
  readonly workerId: string;
  /** Worker class name, e.g. `small`, `medium`, `large`. */
  readonly workerClass: string;
  /** Relative speed (1 = the reference class). On AWS it follows the memory size; measured, not trusted. */
  readonly speed: number;
  readonly memoryMb: number;
  readonly slots: number;
  /** Busy slots / slots, smoothed (0..1; above 1 means queueing). */
  readonly utilization: number;
  /** Slots' worth of load it can still take below the safe threshold. */
  readonly predictedCapacity: number;
}

export function workerNodeMetadata(input: WorkerNodeMetadata): WorkerNodeMetadata {
  const f = `worker[${String(input.workerId)}]`;
  requireString(`${f}.workerId`, input.workerId);
  requireString(`${f}.workerClass`, input.workerClass);
  requireNumber(`${f}.speed`, input.speed, 0.001, 1000);
  requireInteger(`${f}.memoryMb`, input.memoryMb, 128, 10240);
  requireInteger(`${f}.slots`, input.slots, 1, 1000);
  requireNumber(`${f}.utilization`, input.utilization, 0, Number.MAX_VALUE);
  requireNumber(`${f}.predictedCapacity`, input.predictedCapacity, -Number.MAX_VALUE, Number.MAX_VALUE);
  return input;
}
