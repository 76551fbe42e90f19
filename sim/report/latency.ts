/**
 * A log-bucketed histogram of record latencies, weighted by record count: the engine processes records in
 * chunks, so one `add` stands for many records. Buckets are 2 % wide, so percentiles are within 2 %.
 */
export class LatencyHistogram {
  private static readonly GROWTH = 1.02;
  private static readonly LOG_GROWTH = Math.log(LatencyHistogram.GROWTH);
  private readonly counts = new Float64Array(1200);
  private total = 0;
  private maxMs = 0;
  private minMs = Infinity;

  add(latencyMs: number, records: number): void {
    if (records <= 0) return;
    const ms = Math.max(1, latencyMs);
    const i = Math.min(this.counts.length - 1, Math.floor(Math.log(ms) / LatencyHistogram.LOG_GROWTH));
    this.counts[i]! += records;
    this.total += records;
    if (latencyMs > this.maxMs) this.maxMs = latencyMs;
    if (latencyMs < this.minMs) this.minMs = latencyMs;
  }

  get records(): number {
    return this.total;
  }

  get max(): number {
    return this.maxMs;
  }

  /** The smallest latency added, exact (not bucketed), ms; 0 when nothing was added. */
  get min(): number {
    return this.total === 0 ? 0 : this.minMs;
  }

  /** The latency below which fraction `q` of the records fall (upper edge of the bucket), ms. */
  quantile(q: number): number {
    if (this.total === 0) return 0;
    const target = q * this.total;
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      if (seen >= target) return Math.min(this.maxMs, Math.pow(LatencyHistogram.GROWTH, i + 1));
    }
    return this.maxMs;
  }
}
