export * from './clock.port.js';
export * from './metadata-store.port.js';
export * from './metrics-source.port.js';
export * from './outcome.js';
export * from './stream-control.port.js';
export * from './worker-invoker.port.js';
export * from './failure-sink.port.js';
export * from './keyed-state.port.js';
