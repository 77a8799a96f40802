// Faults between hook and S3: 10 Buckets through create -> update -> delete with 20 % of the hook's S3
// requests failing (503 SlowDown, 500, resets before and after S3 did the work, answers held past the
// deadline), driven like Metacontroller does. It asserts outcomes, not answer times: the 100-bucket run in
// test/long checks those too.
import t from 'tap';
import { runFaultScenario } from '../faults/fault-run.js';
import { assertFaultRun } from '../faults/assert-run.js';

if (process.env.SKIP_INTEGRATION === '1') t.plan(0, 'needs Ceph RGW (SKIP_INTEGRATION=1)');
else {
  t.setTimeout(300_000);
  t.test('10 buckets converge through create, update and delete with 20 % of S3 requests failing', async (t) => {
    const report = await runFaultScenario({
      buckets: Number(process.env.FAULT_BUCKETS ?? 10),
      rate: 0.2,
      seed: Number(process.env.FAULT_SEED ?? 20261124),
      deadlineMs: 1500,
      maxAttempts: 2,
      workers: 5,
      timeScale: 0.01,
      phaseMs: 60_000,
      nonEmpty: 2,
      log: (line) => t.comment(line),
    });
    assertFaultRun(t, report);
  });
}
