// Faults between hook and S3: 10 Buckets through create -> update -> delete with 20 % of the hook's S3
// requests failing (503 SlowDown, 500, resets before and after S3 did the work, answers held past the
// deadline), driven like Metacontroller does. The 100-bucket run is in test/long.
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
    assertFaultRun(t, report, { deadlineMs: 1500 });
  });
}
