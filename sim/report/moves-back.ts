/**
 * Counts ping-pong: a move that takes a shard back to the worker it left less than `cooldownMs` before (issue
 * #11: none allowed). A rollback on a reverse shadow's evidence counts too: it is a move back. One counter for
 * the simulator and the local runtime, so both report the same figure.
 */
export class MovesBack {
  private readonly last = new Map<string, { readonly from: string; readonly atMs: number }>();
  count = 0;

  /** Notes an applied move; true when it is a move back within `cooldownMs` (the SPM's cooldown). */
  note(shardId: string, from: string, to: string, atMs: number, cooldownMs: number): boolean {
    const before = this.last.get(shardId);
    this.last.set(shardId, { from, atMs });
    const back = before !== undefined && before.from === to && atMs - before.atMs < cooldownMs;
    if (back) this.count += 1;
    return back;
  }
}
