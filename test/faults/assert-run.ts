// The assertions over a fault run's figures, shared by the normal (10 buckets) and the long (100) suites:
// outcomes in both; answer times (measured with the real clock) only in the long suite.
import type { Test } from 'tap';
import type { FaultRunReport } from './fault-run.js';

export function assertFaultRun(t: Test, r: FaultRunReport): void {
  const total = Object.values(r.codes).reduce((a, b) => a + b, 0);
  t.comment(`faults: ${r.requests} S3 requests, injected ${JSON.stringify(r.injected)}`);
  t.comment(
    `faults: answers by HTTP code ${JSON.stringify(r.codes)} (${r.calls.sync} sync, ${r.calls.finalize} finalize); latency sync ${JSON.stringify(r.latency.sync)} finalize ${JSON.stringify(r.latency.finalize)}`,
  );
  t.comment(`faults: recoverable answers ${JSON.stringify(r.recoverable)}, terminal ${JSON.stringify(r.terminal)}`);
  t.comment(`faults: phases ${JSON.stringify(r.phases)}`);
  t.comment(
    `faults: buckets created ${r.bucketsCreated}; created twice ${JSON.stringify(r.duplicateCreates)}; left behind ${JSON.stringify(r.leftBehind)}; wrong deletes ${JSON.stringify(r.wrongDeletes)}`,
  );
  for (const p of r.problems) t.comment(`problem: ${p}`);
  t.same(r.problems, [], 'every bucket converged in every phase, with RGW matching the spec');
  for (const [name, p] of Object.entries(r.phases)) t.equal(p.converged, p.of, `${name}: ${p.converged}/${p.of} converged`);
  t.ok(Object.values(r.injected).reduce((a, b) => a + b, 0) > 0, 'faults were injected');
  t.same(Object.keys(r.codes), ['200'], `all ${total} hook answers were HTTP 200`);
  t.same(r.violations, [], 'no answer Metacontroller would refuse');
  t.equal(r.recoverableWithoutResync, 0, 'every recoverable answer asked for a resync (backoff through resyncAfterSeconds)');
  t.ok(Object.keys(r.recoverable).length > 0, "faults did reach the hook's answers (recoverable conditions seen)");
  t.same(
    Object.keys(r.terminal).filter((k) => k !== 'BucketNotEmpty'),
    [],
    "no terminal condition: faults are never the user's to fix",
  );
  t.same(r.leftBehind, [], 'no bucket left behind in RGW');
  t.same(r.wrongDeletes, [], 'no wrong delete: the sentinel and the foreign bucket survive');
  t.ok(r.sentinelSurvived && r.sentinelObjects === 3, 'the sentinel keeps its objects');
  t.ok(r.foreignSurvived);
  for (const d of r.duplicateCreates)
    t.ok(d.creates - 1 <= d.answersLost, `${d.bucket}: CreateBucket reached RGW ${d.creates} times, explained by ${d.answersLost} lost answers`);
}

/** Answer times, measured with the real clock: test/long only (the default run asserts no times). */
export function assertAnswerTimes(t: Test, r: FaultRunReport, { deadlineMs }: { deadlineMs: number }): void {
  t.ok(
    r.latency.sync.max < deadlineMs + 1000 && r.latency.finalize.max < deadlineMs + 1000,
    `every answer within the deadline (+1 s slack for a loaded machine): max ${Math.round(Math.max(r.latency.sync.max, r.latency.finalize.max))} ms`,
  );
}
