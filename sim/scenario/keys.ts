import { createHash } from 'node:crypto';
import { evenRanges, type HashKeyRange } from '../../core/model/hash-key.js';
import { seededRandom } from '../../core/random.js';

/** One partition key of a region's pool, with its MD5 hash key (computed once, never per record). */
export interface PoolKey {
  readonly partitionKey: string;
  readonly hashKey: bigint;
}

/** Kinesis' hash key: MD5 of the partition key as an unsigned 128-bit integer. */
export function md5HashKey(partitionKey: string): bigint {
  return BigInt(`0x${createHash('md5').update(partitionKey).digest('hex')}`);
}

/**
 * Builds `poolSize` partition keys for each of `regions` initial shards: keys `key-0`, `key-1`, ... are hashed
 * in order and kept by the region whose range holds their hash, until every region is full. Within a region
 * the keys are put in a seeded random order, which is the popularity rank a zipf skew uses; so the popular
 * keys are spread over the region's range instead of sitting at one end.
 */
export function buildKeyPools(regions: number, poolSize: number, seed: number): { ranges: HashKeyRange[]; pools: PoolKey[][] } {
  const ranges = evenRanges(regions);
  const width = ranges[0]!.end - ranges[0]!.start + 1n;
  const pools: PoolKey[][] = Array.from({ length: regions }, () => []);
  let missing = regions;
  for (let i = 0; missing > 0; i++) {
    const partitionKey = `key-${i}`;
    const hashKey = md5HashKey(partitionKey);
    const region = Math.min(regions - 1, Number(hashKey / width));
    const pool = pools[region]!;
    if (pool.length >= poolSize) continue;
    pool.push({ partitionKey, hashKey });
    if (pool.length === poolSize) missing--;
  }
  const random = seededRandom(seed ^ 0x5eed);
  for (const pool of pools) {
    for (let i = pool.length - 1; i > 0; i--) {
      const j = Math.floor(random.next() * (i + 1));
      [pool[i], pool[j]] = [pool[j]!, pool[i]!];
    }
  }
  return { ranges, pools };
}

/** Popularity weights of a pool (summing to 1): uniform, or zipf by rank. */
export function skewWeights(poolSize: number, skew: { kind: 'uniform' } | { kind: 'zipf'; exponent: number }): number[] {
  const raw = Array.from({ length: poolSize }, (_, i) => (skew.kind === 'zipf' ? 1 / Math.pow(i + 1, skew.exponent) : 1));
  const total = raw.reduce((a, b) => a + b, 0);
  return raw.map((w) => w / total);
}
