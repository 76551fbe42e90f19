import type { WorkerNodeMetadata } from '../../core/model/index.js';
import type { WorkerDescriptor } from './env.js';

/** A worker class as first registered in the metadata store: idle, its whole capacity free. */
export function workerNode(descriptor: WorkerDescriptor): WorkerNodeMetadata {
  return {
    workerId: descriptor.workerId,
    workerClass: descriptor.workerId,
    speed: descriptor.speed,
    memoryMb: descriptor.memoryMb,
    slots: descriptor.slots,
    utilization: 0,
    predictedCapacity: descriptor.slots,
  };
}
