import { parseConfig, type ForeshadowConfig } from '../../core/config/index.js';
import { ENV, type WorkerDescriptor } from '../../definitions/resources.js';


/** Reads a required environment variable; a missing one fails the cold start with the variable's name. */
export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`environment variable ${name} must be set (given nothing)`);
  return value;
}

/** Where the dispatcher's event source mapping starts reading; TRIM_HORIZON when unset (every record counts). */
export function startingPositionFromEnv(env: NodeJS.ProcessEnv = process.env): 'LATEST' | 'TRIM_HORIZON' {
  const value = env[ENV.startingPosition] ?? 'TRIM_HORIZON';
  if (value !== 'LATEST' && value !== 'TRIM_HORIZON') throw new Error(`environment variable ${ENV.startingPosition} must be LATEST or TRIM_HORIZON (given ${JSON.stringify(value)})`);
  return value;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ForeshadowConfig {
  const raw = env[ENV.config];
  return parseConfig(raw ? JSON.parse(raw) : {}, ENV.config);
}

export function workersFromEnv(env: NodeJS.ProcessEnv = process.env): WorkerDescriptor[] {
  const parsed: unknown = JSON.parse(requireEnv(ENV.workers, env));
  if (!Array.isArray(parsed)) throw new Error(`${ENV.workers} must be a JSON list of worker classes (given ${String(env[ENV.workers]).slice(0, 60)})`);
  return parsed.map((w: Partial<WorkerDescriptor>, i: number) => {
    if (typeof w.workerId !== 'string' || typeof w.functionName !== 'string') throw new Error(`${ENV.workers}[${i}] must have workerId and functionName strings (given ${JSON.stringify(w)})`);
    if (w.shadowFunctionName !== undefined && (typeof w.shadowFunctionName !== 'string' || w.shadowFunctionName === '')) {
      throw new Error(`${ENV.workers}[${i}].shadowFunctionName must be a function name or absent (given ${JSON.stringify(w.shadowFunctionName)})`);
    }
    return {
      workerId: w.workerId,
      functionName: w.functionName,
      // A list from before shadow functions existed: shadows go to the worker function itself.
      shadowFunctionName: w.shadowFunctionName ?? w.functionName,
      memoryMb: Number(w.memoryMb ?? 1024),
      slots: Number(w.slots ?? 1),
      speed: Number(w.speed ?? 1),
    };
  });
}
export type { WorkerDescriptor } from '../../definitions/resources.js';
