import { describe, expect, it } from 'vitest';
import { policyByName } from '../../core/policies/index.js';
import { PRICES } from '../../sim/report/prices.js';
import { summarize } from '../../sim/report/report.js';
import { LatencyHistogram } from '../../sim/report/latency.js';
import { checkedSimulation, scenario } from './factories.js';

describe('cost estimate', () => {
  it('prices one shard-hour of 100 records/s at 5 ms on one 1 GB worker from the price list', () => {
    const s = scenario({ durationMin: 60, shards: { count: 1, rate: { kind: 'constant', value: 100 }, cost: { kind: 'constant', value: 5 }, overrides: [] }, workers: [{ class: 'medium', count: 1, speed: 1, slots: 1, memoryMb: 1024 }] });
    const { sim } = checkedSimulation(s, 1, policyByName('static'));
    sim.run();
    const { cost } = summarize(sim, { name: 'static', label: 'static' });
    expect(cost.shardHours).toBe(1);
    // Worker: 0.5 s busy per s for 3,600 s at 1 GB = 1,800 GB-s; the dispatcher (static runs no class inline:
    // 512 MB, DEFAULTS.dispatcherMemoryMb) waits as long (900) plus 5 ms for each of its 3,600 batches (9).
    expect(cost.lambdaGbSeconds).toBeGreaterThan(2709 * 0.98);
    expect(cost.lambdaGbSeconds).toBeLessThan(2709 * 1.02);
    expect(cost.metricsRequested).toBe(0);
    expect(cost.usd.kinesis).toBeCloseTo(PRICES.shardHour + (sim.stats.acceptedRecords / 1e6) * PRICES.putPayloadUnitsPerMillion, 4);
    expect(cost.usd.lambda).toBeCloseTo(cost.lambdaGbSeconds * PRICES.lambdaGbSecond + (cost.invocations / 1e6) * PRICES.lambdaRequestsPerMillion, 3);
    // Static keeps Foreshadow's dispatcher: per batch 0.02 progress and 0.02 shard-load writes and 0.2 + 0.2 + 1 reads (cost/call-budget.ts),
    // and 0.1473 EMF bytes per record (docs/COST.md).
    const batches = sim.stats.dispatcherInvocations;
    const records = [...sim.output.values()].reduce((a, b) => a + b, 0);
    expect(cost.dispatchedBatches).toBe(batches);
    expect(cost.usd.dynamodb).toBeCloseTo(((0.04 * batches) / 1e6) * PRICES.dynamoWriteUnitsPerMillion + ((1.4 * batches) / 1e6) * PRICES.dynamoReadUnitsPerMillion, 4);
    expect(cost.usd.logs).toBeCloseTo(((records * 0.1473) / 1024 ** 3) * PRICES.logsIngestionPerGb, 4);
    expect(cost.usd.total).toBeCloseTo(cost.usd.kinesis + cost.usd.lambda + cost.usd.cloudwatch + cost.usd.dynamodb! + cost.usd.logs!, 3);
  });
});

describe('latency histogram', () => {
  it.each([
    { q: 0.5, expected: 100 },
    { q: 0.99, expected: 100 },
    { q: 0.995, expected: 10_000 },
  ])('with 99 percent of records at 100 ms and 1 percent at 10 s, quantile $q is $expected ms within 2 percent', ({ q, expected }) => {
    const h = new LatencyHistogram();
    h.add(100, 990);
    h.add(10_000, 10);
    expect(h.quantile(q)).toBeGreaterThanOrEqual(expected * 0.98);
    expect(h.quantile(q)).toBeLessThanOrEqual(expected * 1.02);
    expect(h.max).toBe(10_000);
  });
});
