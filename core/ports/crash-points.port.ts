/**
 * Named steps between two writes where a process can die (a Lambda timeout, an out-of-memory kill, a
 * deployment) and leave the metadata half-changed. The fault-injection tests pass a hook that throws an
 * `InjectedCrash` at one of them; production passes none, and an absent hook costs one `undefined` check.
 *
 * | step | between |
 * |---|---|
 * | `spm.move.after-owner-change` | the epoch-conditional owner change and the promoted shadow's clean-up |
 * | `spm.split.after-split-shard` | `SplitShard` and the placement of the children |
 * | `dispatcher.after-owner-applied` | the owner's answer (records applied) and the dispatcher's own answer to the mapping |
 * | `worker.after-state-write` | one partition key's state write and the batch's other keys |
 */
export const CRASH_POINTS = ['spm.move.after-owner-change', 'spm.split.after-split-shard', 'dispatcher.after-owner-applied', 'worker.after-state-write'] as const;
export type CrashPointName = (typeof CRASH_POINTS)[number];

/** Called at each named step with what it is about (a shard id); throws to simulate the process dying there. */
export type CrashPoint = (step: CrashPointName, subject: string) => void;

/** What a crash hook throws: the process "died" at `step`. */
export class InjectedCrash extends Error {
  override readonly name = 'InjectedCrash';
  constructor(
    readonly step: CrashPointName,
    readonly subject: string,
  ) {
    super(`injected crash at ${step} (${subject})`);
  }
}
