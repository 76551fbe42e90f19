import { z } from 'zod';
import { ValidationError } from '../errors.js';
import { baselinesConfigSchema } from './baselines.config.js';
import { lanesConfigSchema } from './lanes.config.js';
import { spmConfigSchema } from './spm.config.js';

export { spmConfigSchema, type SpmConfig } from './spm.config.js';
export { baselinesConfigSchema, type BaselinesConfig } from './baselines.config.js';
export { lanesConfigSchema, type LanesConfig } from './lanes.config.js';

/** The whole decision configuration: one object, shared by the simulator, the local runtime and the Lambdas. */
export const foreshadowConfigSchema = z.strictObject({
  /** Time between two SPM ticks, in ms. @default 60000 (the EventBridge schedule on AWS) */
  tickIntervalMs: z.number().int().min(100).max(3_600_000).default(60_000),
  spm: spmConfigSchema.prefault({}),
  /** Burst lanes of Foreshadow's dispatcher (core/model/lanes.ts). */
  lanes: lanesConfigSchema,
  baselines: baselinesConfigSchema,
});

export type ForeshadowConfig = z.infer<typeof foreshadowConfigSchema>;
export type ForeshadowConfigInput = z.input<typeof foreshadowConfigSchema>;

/**
 * Validates configuration. A bad value throws a ValidationError whose message names the key and what is
 * allowed, e.g. `config.spm.hotThreshold must be a number greater than 0 (given 0)`.
 */
export function parseConfig(input: unknown, root = 'config'): ForeshadowConfig {
  const result = foreshadowConfigSchema.safeParse(input ?? {});
  if (result.success) return result.data;
  throw toValidationError(result.error, input, root);
}

/** Turns the first zod issue into our own error, quoting the given value. */
export function toValidationError(error: z.ZodError, input: unknown, root: string): ValidationError {
  const issue = error.issues[0]!;
  const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  let given: unknown = input;
  for (const p of issue.path) given = given && typeof given === 'object' ? (given as Record<PropertyKey, unknown>)[p as PropertyKey] : undefined;
  return new ValidationError(`${root}${path}`, describeIssue(issue), given);
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'too_small':
      return `${issue.origin === 'array' ? 'a list of length' : 'a number'} ${issue.inclusive ? 'at least' : 'greater than'} ${String(issue.minimum)}`;
    case 'too_big':
      return `${issue.origin === 'array' ? 'a list of length' : 'a number'} ${issue.inclusive ? 'at most' : 'less than'} ${String(issue.maximum)}`;
    case 'invalid_type':
      return `of type ${issue.expected}`;
    case 'invalid_value':
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'unrecognized_keys':
      return `free of unknown keys (unknown: ${issue.keys.join(', ')})`;
    default:
      return issue.message;
  }
}
