import type { Clock, MetadataStore, SuspectRange, WireRecord } from '../../core/ports/index.js';
import { compareSequence } from '../sequence.js';

/** What to do after the owner crashed on the records sent: search on, or have it count the one record's attempt. */
export type AfterCrash = { readonly next: 'bisect' } | { readonly next: 'count'; readonly index: number };

/**
 * Finds the record that makes a shard's owner crash (a function error or a timeout: the worker never answers,
 * so it cannot count the attempt itself), by bisection across the shard's batches.
 *
 * A crash on records [start, start + n) opens (or narrows) the shard's suspect range to them; the next
 * batch sends the owner only up to the first half of it and hands the rest back to the mapping. A half that
 * goes through moves the range past it; a half that crashes narrows the range to it. A range of one record
 * that crashes is that record's failed attempt: the dispatcher has the owner count it (WorkerRequest.crashed),
 * and at `maxAttempts` the owner sends it to the failure sink, after which the shard flows on. A range the
 * batches go through without a crash (a one-off timeout) is closed.
 *
 * The range is kept in memory and written to the metadata store when it changes (only while a search is on:
 * nothing is read or written for a shard whose owner does not crash); another execution environment reads it
 * after its first crash in the shard, so a search goes on where it was wherever the retries run.
 */
export class CrashSearch {
  private readonly ranges = new Map<string, SuspectRange>();

  constructor(
    private readonly metadata: Pick<MetadataStore, 'getSuspectRange' | 'putSuspectRange' | 'deleteSuspectRange'>,
    private readonly clock: Clock,
  ) {}

  /** Whether a search for a crashing record is on in the shard (in this execution environment). */
  searching(shardId: string): boolean {
    return this.ranges.has(shardId);
  }

  /** How many of the batch's records go to the owner: all, or those up to the first half of the suspect range. */
  sendable(shardId: string, records: readonly WireRecord[]): number {
    const range = this.ranges.get(shardId);
    if (!range) return records.length;
    const at = records.findIndex((r) => r.sequenceNumber === range.startSequenceNumber);
    if (at === -1) {
      // The mapping went past the range (another environment finished it): the search is over here.
      if (records.length > 0 && compareSequence(records[0]!.sequenceNumber, range.startSequenceNumber) > 0) this.ranges.delete(shardId);
      return records.length;
    }
    return Math.min(records.length, at + Math.ceil(range.span / 2));
  }

  /** The owner answered for the first `sent` records, the first `done` of them applied (or skipped as done). */
  async answered(shardId: string, records: readonly WireRecord[], sent: number, done: number): Promise<void> {
    const range = this.ranges.get(shardId);
    if (!range) return;
    const at = records.findIndex((r) => r.sequenceNumber === range.startSequenceNumber);
    if (at === -1 || at >= sent) return;
    const advanced = done - at;
    if (advanced <= 0) return;
    const span = range.span - advanced;
    const next = records[at + advanced];
    if (span <= 0 || next === undefined) return this.close(shardId);
    await this.save({ shardId, startSequenceNumber: next.sequenceNumber, span, updatedAtMs: this.clock.nowMs() });
  }

  /** The owner crashed on the first `sent` records. */
  async crashed(shardId: string, records: readonly WireRecord[], sent: number): Promise<AfterCrash> {
    let range = this.ranges.get(shardId);
    if (!range) {
      // Unreadable: search from this crash on, as if no other environment had started.
      range = await this.metadata.getSuspectRange(shardId).catch(() => undefined);
      if (range) this.ranges.set(shardId, range);
    }
    const at = range ? records.findIndex((r) => r.sequenceNumber === range.startSequenceNumber) : -1;
    const start = at >= 0 && at < sent ? at : 0;
    const span = at >= 0 && at < sent && range ? Math.min(range.span, sent - at) : sent;
    const startSequenceNumber = records[start]!.sequenceNumber;
    if (range?.startSequenceNumber !== startSequenceNumber || range.span !== span) await this.save({ shardId, startSequenceNumber, span, updatedAtMs: this.clock.nowMs() });
    return span <= 1 ? { next: 'count', index: start } : { next: 'bisect' };
  }

  /** The suspect record is done (sent to the failure sink, or found applied): the search is over. */
  async close(shardId: string): Promise<void> {
    this.ranges.delete(shardId);
    // Best effort, as every write here: memory is ahead of the store, and a stale stored range only costs
    // another environment one more crash before it learns where the search is.
    await this.metadata.deleteSuspectRange(shardId).catch(() => undefined);
  }

  private async save(range: SuspectRange): Promise<void> {
    this.ranges.set(range.shardId, range);
    await this.metadata.putSuspectRange(range).catch(() => undefined);
  }
}
