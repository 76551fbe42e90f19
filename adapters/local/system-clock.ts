import type { Clock } from '../../core/ports/index.js';

/** The wall clock, for the Lambdas and the local runtime (the simulator has its own). */
export const systemClock: Clock = { nowMs: () => Date.now() };

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
