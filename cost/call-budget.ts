/**
 * AWS calls per batch on the primary path (the dispatcher and the owner's worker), at 500 records/s per
 * shard in batches of 100 (5 batches a second), keyed `service operation`. Pinned by
 * test/cost/call-budget.test.ts, which meters the real dispatcher and worker on dynalite: a change that adds
 * a call per batch (or makes one rarer) fails it until this budget is updated, and then `npm run cost:doc`
 * re-prices it in docs/COST.md. Fractions are calls made every N seconds (a 1 s cache is 0.2 per batch).
 */
export const PRIMARY_PATH_CALLS_PER_BATCH = {
  dispatcher: {
    /** The owner's synchronous invocation. */
    'Lambda Invoke': 1,
    /** The placement cache (app/dispatch/placement-cache.ts), refreshed once a second. */
    'DynamoDB GetItem': 0.2,
    /** The shard's shadow list, refreshed with the placement. */
    'DynamoDB Query': 0.2,
    /**
     * The shard's progress (app/dispatch/progress-writer.ts): once every 10 s of full batches of an open
     * shard (every batch only while it is closed, claimed, or its batches are partial).
     */
    'DynamoDB PutItem': 0.02,
    /**
     * The shard's load for the SPM (app/dispatch/load-recorder.ts): at the first batch in an environment,
     * then every 30 s and when a minute ends (one item per shard and minute). Over the test's 10 s that is
     * the first write, 0.02 per batch; in a steady run about 3 a minute, 0.01.
     */
    'DynamoDB UpdateItem': 0.02,
  },
  worker: {
    /** The placement fence: the owner reads its partition, strongly consistent, before applying anything. */
    'DynamoDB GetItem': 1,
  },
} as const satisfies Record<'dispatcher' | 'worker', Record<string, number>>;
