import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { parseConfig, toValidationError, type ForeshadowConfig } from '../../core/config/index.js';
import { ValidationError } from '../../core/errors.js';
import { profileByName } from '../profiles.js';
import { scenarioSchema, type Scenario } from './schema.js';

/** Folder of the built-in scenario files. */
export const BUILTIN_SCENARIO_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'scenarios');

/** Names of the built-in scenarios (file names without extension), sorted. */
export function builtinScenarioNames(): string[] {
  return readdirSync(BUILTIN_SCENARIO_DIR)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .map((f) => f.replace(/\.(ya?ml|json)$/, ''))
    .sort();
}

/** Resolves a built-in name or a path to a file; a miss is a ValidationError listing the built-ins. */
export function resolveScenarioPath(nameOrPath: string): string {
  for (const ext of ['.yaml', '.yml', '.json']) {
    const builtin = join(BUILTIN_SCENARIO_DIR, `${nameOrPath}${ext}`);
    if (!nameOrPath.includes('/') && existsSync(builtin)) return builtin;
  }
  if (existsSync(nameOrPath)) return nameOrPath;
  throw new ValidationError('--scenario', `a built-in scenario (${builtinScenarioNames().join(', ')}) or an existing .yaml/.json file`, nameOrPath);
}

/** Validates already-parsed scenario data; errors name the field, e.g. `scenario.workers[0].slots`. */
export function parseScenario(input: unknown): Scenario {
  const result = scenarioSchema.safeParse(input);
  if (!result.success) throw scenarioValidationError(result.error, input);
  scenarioConfig(result.data);
  return result.data;
}

/**
 * Like core's `toValidationError`, and also turns an unknown `kind` of a curve, skew or event (a zod
 * discriminated union) into "must be one of ..." instead of zod's own wording.
 */
function scenarioValidationError(error: z.ZodError, input: unknown): ValidationError {
  const issue = error.issues[0]!;
  const options = (issue as { options?: unknown }).options;
  if (issue.code !== 'invalid_union' || !Array.isArray(options)) return toValidationError(error, input, 'scenario');
  let given: unknown = input;
  for (const p of issue.path) given = given && typeof given === 'object' ? (given as Record<PropertyKey, unknown>)[p as PropertyKey] : undefined;
  const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  return new ValidationError(`scenario${path}`, `one of ${options.map((o) => JSON.stringify(o)).join(', ')}`, given);
}

/** Reads and validates a scenario by built-in name or path (JSON or YAML). */
export function loadScenario(nameOrPath: string): Scenario {
  const path = resolveScenarioPath(nameOrPath);
  const text = readFileSync(path, 'utf8');
  let data: unknown;
  try {
    data = extname(path) === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new ValidationError('scenario', `valid ${extname(path) === '.json' ? 'JSON' : 'YAML'} (${reason})`, path);
  }
  return parseScenario(data);
}

/**
 * The decision configuration a run uses: the profile's tick interval, then the scenario's overrides, then
 * the caller's (all validated by `parseConfig`, so a bad key is named as `scenario.config.<key>`).
 */
export function scenarioConfig(scenario: Scenario, overrides: Record<string, unknown> = {}): ForeshadowConfig {
  const profile = profileByName(scenario.profile);
  const merged = deepMerge(deepMerge({ tickIntervalMs: profile.tickIntervalMs }, scenario.config ?? {}), overrides);
  return parseConfig(merged, 'scenario.config');
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = isPlainObject(prev) && isPlainObject(v) ? deepMerge(prev, v) : v;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
