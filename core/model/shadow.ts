import { requireNumber, requireString } from './validate.js';

export const SHADOW_KINDS = ['forward', 'reverse'] as const;
/** `forward`: a candidate target measuring a hot shard; `reverse`: the old owner, after a move, for rollback. */
export type ShadowKind = (typeof SHADOW_KINDS)[number];

/** A sampled copy of one shard's records, processed in dry-run on a candidate worker. */
export interface ShadowPartition {
  readonly shadowId: string;
  readonly shardId: string;
  readonly workerId: string;
  readonly kind: ShadowKind;
  /** Fraction 0..1 of the shard's records copied to the shadow (5 % is 0.05, so the scale-up is ×20). */
  readonly rate: number;
  readonly createdAtMs: number;
  /** A reverse shadow expires at the end of the cool-down. */
  readonly expiresAtMs?: number;
}

export function shadowPartition(input: ShadowPartition): ShadowPartition {
  const f = `shadow[${String(input.shadowId)}]`;
  requireString(`${f}.shadowId`, input.shadowId);
  requireString(`${f}.shardId`, input.shardId);
  requireString(`${f}.workerId`, input.workerId);
  requireNumber(`${f}.rate`, input.rate, 0.0001, 1);
  return input;
}

/**
 * The id of the `kind` shadow of `shardId` on `workerId`; deterministic, so the same shadow decided twice has
 * one id. A shard has at most one live shadow of each kind (`MetadataStore.createShadow` refuses a second),
 * and its forward and reverse shadows may sit on the same worker, so the kind is part of the id: with one id
 * they would share their stats, and deleting one would delete both.
 */
export function shadowIdFor(shardId: string, workerId: string, kind: ShadowKind = 'forward'): string {
  return kind === 'forward' ? `${shardId}@${workerId}` : `${shardId}@${workerId}~${kind}`;
}
