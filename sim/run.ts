import type { ForeshadowConfig } from '../core/config/index.js';
import { policyByName } from '../core/policies/index.js';
import { Simulation } from './engine/engine.js';
import type { LogEntry, TimelinePoint } from './engine/stats.js';
import { InvariantChecker } from './invariants.js';
import { summarize, type PolicyReport } from './report/report.js';
import type { Scenario } from './scenario/schema.js';

export interface PolicyRun {
  readonly report: PolicyReport;
  readonly timeline: readonly TimelinePoint[];
  readonly log: readonly LogEntry[];
  /** Invariant violations found during the run (empty when all held). */
  readonly violations: readonly string[];
}

/** Runs one policy over one scenario with one seed, checking the invariants as it goes. */
export function runPolicy(scenario: Scenario, policyName: string, seed: number, config?: ForeshadowConfig, options: { readonly sameInformation?: boolean; readonly previousRelease?: boolean } = {}): PolicyRun {
  const policy = policyByName(policyName, '--policy');
  const checker = new InvariantChecker(seed);
  const sim = new Simulation({ scenario, seed, policy, observer: checker, ...(config ? { config } : {}), ...(options.sameInformation ? { sameInformation: true } : {}), ...(options.previousRelease ? { previousRelease: true } : {}) });
  sim.run();
  const violations = checker.finish(finalStates(sim));
  return { report: summarize(sim, policy), timeline: sim.stats.timeline, log: sim.stats.log, violations };
}

/** What the invariant checker needs at the end: accepted, queued and output per shard. */
export function finalStates(sim: Simulation): { shardId: string; accepted: number; queued: number; output: number }[] {
  return [...sim.shards.values()].map((s) => ({
    shardId: s.id,
    accepted: s.nextSeq,
    queued: s.queue.slice(s.queueHead).reduce((a, c) => a + c.count, 0),
    output: sim.output.get(s.id) ?? 0,
  }));
}
