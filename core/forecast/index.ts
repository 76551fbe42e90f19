export * from './shard-load.js';
export * from './shard-forecast.js';
export * from './arrivals.js';
