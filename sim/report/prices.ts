/** The simulator prices its runs with the project's one price list (definitions/prices.ts). */
export { PRICES, PRICES_CHECKED } from '../../definitions/prices.js';

/** Memory of the SPM function and its run time per tick, for the tick's own Lambda cost. */
export const SPM_FUNCTION = { memoryMb: 512, msPerTick: 500 } as const;
