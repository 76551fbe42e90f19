import { z } from 'zod';
import { DEFAULTS } from '../../definitions/resources.js';

/**
 * The scenario file format (JSON or YAML). Times in a scenario file are in minutes of simulated time, rates
 * in records per second, costs in ms of busy time per record on a worker of speed 1. Rates and costs are
 * given per *region*: the hash-key range a shard covered when the stream was created, so that a curve keeps
 * describing the same keys after the stream is resharded.
 */

/** A value over time: a constant, piecewise-linear points, or a named shape. */
export const curveSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('constant'), value: z.number().min(0) }),
  z.strictObject({
    kind: z.literal('points'),
    /** Piecewise linear between points (held flat before the first and after the last). */
    points: z.array(z.strictObject({ atMin: z.number().min(0), value: z.number().min(0) })).min(1),
  }),
  /** Linear from `from` at `startMin` to `to` at `endMin`, flat outside. */
  z.strictObject({ kind: z.literal('ramp'), from: z.number().min(0), to: z.number().min(0), startMin: z.number().min(0), endMin: z.number().min(0) }),
  /** `from` before `atMin`, `to` from then on. */
  z.strictObject({ kind: z.literal('step'), from: z.number().min(0), to: z.number().min(0), atMin: z.number().min(0) }),
  /** mean × (1 + amplitude × cos(2π (t − peakAtMin) / periodMin)). */
  z.strictObject({
    kind: z.literal('diurnal'),
    mean: z.number().min(0),
    /** Relative swing, 0..1. */
    amplitude: z.number().min(0).max(1),
    periodMin: z.number().gt(0),
    peakAtMin: z.number().min(0).default(0),
  }),
]);
export type Curve = z.infer<typeof curveSchema>;

export const keySkewSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('uniform') }),
  /** Key i of a region's pool (in a seeded random order) carries weight 1/(i+1)^exponent. */
  z.strictObject({ kind: z.literal('zipf'), exponent: z.number().min(0).max(5) }),
]);

export const workerClassSchema = z.strictObject({
  /** Class name; workers are named `<class>-<n>`. */
  class: z.string().regex(/^[a-z][a-z0-9-]*$/),
  count: z.number().int().min(1).max(200),
  /** Relative speed: per-record cost is divided by it. */
  speed: z.number().gt(0).max(100),
  /** Shards the worker processes at once (reserved concurrency). */
  slots: z.number().int().min(1).max(1000),
  /**
   * Reserved concurrency of the class's shadow function (same memory, so same speed): shadow batches run
   * there, rationed among the class's shadows only, never on the primaries' slots. @default 1
   */
  shadowSlots: z.number().int().min(1).max(1000).default(1),
  memoryMb: z.number().int().min(128).max(10240),
  /**
   * Function timeout of the class, in scenario seconds: a local run stops an owner's or a shadow's batch
   * after it (scaled by the time scale), as Lambda does. @default 60 (DEFAULTS.workerTimeoutSeconds)
   */
  timeoutSeconds: z.number().int().min(1).max(900).default(DEFAULTS.workerTimeoutSeconds),
});

const shardOverrideSchema = z.strictObject({
  /** Region (initial shard) index, 0-based. */
  shard: z.number().int().min(0),
  rate: curveSchema.optional(),
  cost: curveSchema.optional(),
});

export const scenarioEventSchema = z.discriminatedUnion('kind', [
  /** From `atMin` on, the worker (or every worker of the class) is `factor` times slower, silently. */
  z.strictObject({
    kind: z.literal('worker-slowdown'),
    atMin: z.number().min(0),
    workerClass: z.string().optional(),
    workerId: z.string().optional(),
    factor: z.number().gt(0).max(100),
  }),
  /**
   * From `atMin` on, one partition key of region `shard` gets `recordsPerSec` extra records per second
   * (reached after `rampMin`), each costing `costFactor` times the region's cost. A key cannot be split.
   */
  z.strictObject({
    kind: z.literal('hot-key'),
    atMin: z.number().min(0),
    shard: z.number().int().min(0),
    recordsPerSec: z.number().min(0),
    rampMin: z.number().min(0).default(0),
    endMin: z.number().min(0).optional(),
    costFactor: z.number().gt(0).default(1),
  }),
]);
export type ScenarioEvent = z.infer<typeof scenarioEventSchema>;

export const PROFILE_NAMES = ['aws', 'local'] as const;

export const scenarioSchema = z
  .strictObject({
    name: z.string().min(1),
    description: z.string().default(''),
    /** `gradual` (a forecast has something to see) or `sudden`; selects the targets the report checks. */
    category: z.enum(['gradual', 'sudden']).optional(),
    /** `aws`: 60 s metric period, ~2 min delay, 60 s ticks; `local`: seconds. */
    profile: z.enum(PROFILE_NAMES).default('aws'),
    durationMin: z.number().gt(0).max(7 * 24 * 60),
    shards: z.strictObject({
      count: z.number().int().min(1).max(4096),
      /** Default rate curve of every region, records/s. */
      rate: curveSchema,
      /** Default per-record cost of every region, ms at speed 1. */
      cost: curveSchema,
      overrides: z.array(shardOverrideSchema).default([]),
    }),
    /** Mean record size in bytes, partition key included. @default 800 */
    recordSizeBytes: z.number().int().min(1).max(1_048_576).default(800),
    /** Coefficient of variation of the per-record cost. @default 0.3 */
    costCv: z.number().min(0).max(5).default(0.3),
    /** Relative noise of the arrival count per second (Poisson is added on top). @default 0.05 */
    rateNoise: z.number().min(0).max(1).default(0.05),
    keys: z
      .strictObject({
        /** Distinct partition keys per region. @default 64 */
        poolSize: z.number().int().min(1).max(4096).default(64),
        skew: keySkewSchema.default({ kind: 'uniform' }),
      })
      .prefault({}),
    workers: z.array(workerClassSchema).min(1),
    events: z.array(scenarioEventSchema).default([]),
    /** Overrides of the decision configuration (core/config), validated by `parseConfig`. */
    config: z.record(z.string(), z.unknown()).optional(),
  })
  .superRefine((s, ctx) => {
    s.shards.overrides.forEach((o, i) => {
      if (o.shard >= s.shards.count) ctx.addIssue({ code: 'custom', path: ['shards', 'overrides', i, 'shard'], message: `an integer between 0 and ${s.shards.count - 1}` });
    });
    s.events.forEach((e, i) => {
      if (e.kind === 'hot-key' && e.shard >= s.shards.count) ctx.addIssue({ code: 'custom', path: ['events', i, 'shard'], message: `an integer between 0 and ${s.shards.count - 1}` });
      if (e.kind === 'worker-slowdown') {
        const classes = s.workers.map((w) => w.class);
        if (e.workerClass === undefined && e.workerId === undefined) ctx.addIssue({ code: 'custom', path: ['events', i, 'workerClass'], message: `one of ${classes.join(', ')} (or give workerId)` });
        if (e.workerClass !== undefined && !classes.includes(e.workerClass)) ctx.addIssue({ code: 'custom', path: ['events', i, 'workerClass'], message: `one of ${classes.join(', ')}` });
      }
    });
    const seen = new Set<string>();
    s.workers.forEach((w, i) => {
      if (seen.has(w.class)) ctx.addIssue({ code: 'custom', path: ['workers', i, 'class'], message: 'a class name not used before' });
      seen.add(w.class);
    });
  });

export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;
