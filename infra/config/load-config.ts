import { readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseConfig, toValidationError, type ForeshadowConfig } from '../../core/config/index.js';
import { ValidationError } from '../../core/errors.js';
import { infraConfigSchema, type InfraConfigParsed } from './infra-config.schema.js';

/** The validated deployment configuration, with the decision configuration parsed by core/config. */
export interface InfraConfig extends Omit<InfraConfigParsed, 'decision'> {
  readonly decision: ForeshadowConfig;
}

/** CDK context keys the app reads. */
export const CONTEXT_KEYS = {
  /** The configuration itself: an object (cdk.json) or a JSON string (`-c foreshadow='{...}'`). */
  config: 'foreshadow',
  /** Path of a JSON or YAML file holding the configuration (`-c foreshadowConfigFile=foreshadow.yaml`). */
  configFile: 'foreshadowConfigFile',
} as const;

/**
 * Validates a deployment configuration. A bad value throws a ValidationError naming the key and what is
 * allowed, e.g. `foreshadow.workers[0].slots must be a number at least 1 (given 0)`.
 */
export function parseInfraConfig(input: unknown, root = 'foreshadow'): InfraConfig {
  const result = infraConfigSchema.safeParse(input ?? {});
  if (!result.success) throw toValidationError(result.error, input, root);
  const { decision: decisionInput, ...infra } = result.data;
  const tickIntervalMs = infra.schedule.rateMinutes * 60_000;
  const given = decisionInput ?? {};
  // Not an object: let core/config report the type error with its usual message.
  if (typeof given !== 'object' || given === null || Array.isArray(given)) return { ...infra, decision: parseConfig(given, `${root}.decision`) };
  const givenTick = (given as Record<string, unknown>)['tickIntervalMs'];
  if (givenTick !== undefined && givenTick !== tickIntervalMs) {
    throw new ValidationError(`${root}.decision.tickIntervalMs`, `absent or equal to schedule.rateMinutes × 60000 (${tickIntervalMs}) on AWS`, givenTick);
  }
  const parsed = parseConfig({ ...given, tickIntervalMs }, `${root}.decision`);
  // A batch that does not lag is up to its batching window plus about a poll (1 s) old: lanes opening below
  // that would fan out batches that keep up. Unset, the threshold follows the window; set, it must clear it.
  const healthyAgeMs = infra.eventSource.maxBatchingWindowSeconds * 1000 + 2000;
  const givenOpen = ((given as Record<string, unknown>)['lanes'] as Record<string, unknown> | undefined)?.['openAtAgeMs'];
  if (givenOpen !== undefined && parsed.lanes.max > 1 && parsed.lanes.openAtAgeMs < healthyAgeMs) {
    throw new ValidationError(`${root}.decision.lanes.openAtAgeMs`, `at least eventSource.maxBatchingWindowSeconds × 1000 + 2000 (${healthyAgeMs}), the age of a batch that does not lag, or lanes.max 1`, parsed.lanes.openAtAgeMs);
  }
  const decision = givenOpen === undefined && parsed.lanes.openAtAgeMs < healthyAgeMs ? { ...parsed, lanes: { ...parsed.lanes, openAtAgeMs: healthyAgeMs } } : parsed;
  return { ...infra, decision };
}

/** What the loader needs from a CDK construct node: context lookup. */
export interface ContextSource {
  tryGetContext(key: string): unknown;
}

/**
 * Reads the configuration from CDK context (`foreshadow`) or from a file (`foreshadowConfigFile`), never
 * both, and validates it. With neither, every default applies.
 */
export function loadInfraConfig(source: ContextSource, readText: (path: string) => string = (p) => readFileSync(p, 'utf8')): InfraConfig {
  const inline: unknown = source.tryGetContext(CONTEXT_KEYS.config);
  const file: unknown = source.tryGetContext(CONTEXT_KEYS.configFile);
  if (inline !== undefined && file !== undefined) {
    throw new ValidationError(`context ${CONTEXT_KEYS.configFile}`, `absent when context ${CONTEXT_KEYS.config} is set (give one of them)`, file);
  }
  if (file !== undefined) {
    if (typeof file !== 'string' || file.length === 0) throw new ValidationError(`context ${CONTEXT_KEYS.configFile}`, 'a path to a .json, .yaml or .yml file', file);
    return parseInfraConfig(readConfigFile(file, readText));
  }
  if (typeof inline === 'string') return parseInfraConfig(parseText(inline, 'json', `context ${CONTEXT_KEYS.config}`));
  return parseInfraConfig(inline);
}

function readConfigFile(path: string, readText: (path: string) => string): unknown {
  const extension = extname(path).toLowerCase();
  if (!['.json', '.yaml', '.yml'].includes(extension)) {
    throw new ValidationError(`context ${CONTEXT_KEYS.configFile}`, 'a path to a .json, .yaml or .yml file', path);
  }
  let text: string;
  try {
    text = readText(resolve(path));
  } catch (error) {
    throw new ValidationError(`context ${CONTEXT_KEYS.configFile}`, `a readable file (${(error as Error).message})`, path);
  }
  return parseText(text, extension === '.json' ? 'json' : 'yaml', path);
}

function parseText(text: string, format: 'json' | 'yaml', field: string): unknown {
  try {
    return format === 'json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ValidationError(field, `valid ${format.toUpperCase()} (${(error as Error).message.split('\n')[0] ?? ''})`, text);
  }
}
