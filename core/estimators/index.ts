export * from './holt.js';
export * from './cost-estimator.js';
export * from './hash-histogram.js';
export * from './cost-trend.js';
