/**
 * The prose of docs/BENCHMARKS.md that no run produces: what the simulator models, the definitions, and the
 * known biases. `sim/benchmarks.ts` puts it between the generated tables. Keep it true to the code.
 */
export const BENCHMARKS_MODEL_TEXT = `## What the simulator models (and what it does not)

- **Time.** Fixed 1 s steps on the \`aws\` profile; every step ends at a batch boundary of every shard. Records
  are aggregated into chunks; sequence numbers, epochs, which worker processed which batch and when a parent
  drained stay exact. No wall-clock time, one seeded generator per run (a second one for shadow samples).
- **Traffic.** Per region (the hash-key range of an initial shard) a rate curve and a per-record cost curve,
  5 % rate noise plus Poisson noise, per-record cost CV 0.3, a pool of 64 partition keys per region (MD5 hash
  keys) weighted uniformly or by a zipf skew; hot keys are single pool keys with their own rate. After a
  reshard keys route by hash key, so a hot key stays whole in one child.
- **Kinesis.** 1,000 records/s and 1 MiB/s per shard, in both capacity modes; the excess is throttled and
  retried by the producer for 30 s (KPL record TTL), then dropped. SplitShard/MergeShards take 30 s, one at a
  time (stream UPDATING); on-demand mode's own splits run several at once. UpdateShardCount takes 120 s,
  at most 10 per 24 h. Children wait until every parent is drained.
- **Two data planes.** *Dispatcher* (spm, static, reactive-threshold, kcl3-variance, alarm-autoscaler):
  Foreshadow's dispatcher routes each shard's batches to its owner in the scenario's worker pool; a worker
  processes its shards on its slots (reserved concurrency), a shard uses at most one slot, an over-subscribed
  worker rations all its shards. *Plain mapping* (parallelization-factor, on-demand, reactive-split): the
  event source mapping invokes one function directly: the scenario's fastest worker class (the careful
  choice: CPU-bound GB-seconds per record are about flat across memory sizes), with elastic concurrency (no
  slot limit: one invocation per shard and lane at a time). No dispatcher, no metadata table, no placement.
- **Lanes.** With ParallelizationFactor N each key goes to lane \`hash % N\`; a shard can use N times its wall
  time in busy time, bounded by its busiest lane: 1 / (that lane's share of the shard's work). A hot key
  carrying 80 % of a shard's work caps it at 1.25×. Within a shard the queue stays one FIFO (latency is the
  shard's average, not per lane); invocations are counted per lane. *Burst lanes* (policies on Foreshadow's
  dispatcher except KCL): while a shard lags (its oldest record 3 s old, held while it needs 0.9 of a lane) its
  lanes take, one per slot, the slots that do the most work among its own and those the workers' own shards
  leave free, the heaviest lane on the fastest; the step's work is bounded by the slowest lane. A lane never
  takes a slot a worker's shard needs (on AWS a lane that meets a busy class runs on the owner afterwards).
- **Data paths.** \`metadata-table\` (spm, reactive-threshold: Foreshadow's SPM as deployed): each shard's
  load per minute as the dispatchers add it to the metadata table, visible 15 s after the minute, what arrived
  estimated from the records' ages; worker points and write throttles from CloudWatch, 120 s late.
  \`cloudwatch\`: 60-s points visible 120 s after the period (alarm-autoscaler, reactive-split). \`lease-table\` (kcl3-variance): 30-s points at the period's end, as
  KCL's own 30-s worker values in its lease table.
  \`kinesis-internal\` (on-demand): at the period's end. spm's shadow statistics are fresh on every path.
  *Same information*: every policy gets the points at the period's end.
- **Cadence and handoff.** One decision per 60 s, except kcl3-variance: a lease assignment round every 20 s
  and a variance pass every 3rd round (60 s), as in KCL 3.x. A move pauses the shard 1 s (the dispatcher reads
  the new owner before the next batch); kcl3-variance's graceful handoff pauses it 10 s (lease discovery).
- **Cost** (\`definitions/prices.ts\`): provisioned shard-hours and PUT payload units, or on-demand stream-hours
  and GB written and read (records rounded up to 1 KB); Lambda GB-s of workers (primary and shadow), of the
  dispatcher (as deployed: the inline class's memory on Foreshadow's deployment, else 512 MB; it waits on an
  invoked owner, 5 ms per invocation; the 256 MB this table used before was below any deployed size) and of the decision function (512 MB, 500 ms
  per decision) where there is one; invocations; GetMetricData series requested (6 per shard and 4 per worker
  per decision for the dispatcher policies, or only the fields a policy names (spm: 5 per shard, none per
  worker), 2 for alarm-autoscaler, 3 per shard for reactive-split, none for the others); per dispatched batch
  the DynamoDB calls pinned in \`cost/call-budget.ts\` (1.4 reads, 0.02 writes) and the measured EMF bytes per
  record (docs/COST.md); the decision path's own tables: a Foreshadow SPM tick's metadata reads and writes as
  \`npm run cost\` measured them (4.917 RRU and 1.5 WRU per shard and tick, \`SPM_TICK_UNITS_PER_SHARD\`), KCL's
  lease renewals every 3.3 s per lease, worker-metric writes every 30 s and the leader's scans every round
  (\`kclLeaseTableUnits\`). Not priced: KCL's application checkpoints, alarms, shard-level metrics' monthly
  fee, dashboards.

**Definitions.** *Overload-seconds*: seconds in which at least one shard fell behind (its processing used all
the time it could get and records from before that second were still queued), a worker was over-subscribed,
or a shard's iterator age exceeded 30 s. *p99*: producer's first put attempt to the end of processing, per
record; no record finishes in under 500 ms (it arrives mid-step and waits for the next poll), so p99 sits at
0.5–0.9 s when nothing is overloaded. *Worst*: the largest value over the seeds.

**Known biases and limits.** The dispatcher world and the plain-mapping world differ in more than the
policy: the first runs on the scenario's pool (its slots are a cap the user set), the second on the fastest
class with elastic concurrency. That is the comparison a Lambda user faces, but read a plain-mapping row as
"the pool was not needed", not as "the policy is smarter". \`static\` keeps the dispatcher and the scenario's
pool; \`parallelization-factor\` with factor 1 would be the same floor without them. \`alarm-autoscaler\` stays
on the dispatcher pool (it never moves a shard, so it could run on a plain mapping). on-demand's reaction is
taken at the fast end of AWS's "within ~15 minutes" (one 60-s point); its scale-down needs a full 24 h of
history, which only \`diurnal-night\` comes close to. reactive-split never merges. The initial placement on
the pool is round-robin by shard index.`;
