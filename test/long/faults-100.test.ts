// npm run test:long: 100 Buckets through create -> update -> delete with 20 % of S3 requests failing.
import t from 'tap';
import { assertAnswerTimes, assertFaultRun } from '../faults/assert-run.js';
import { runFaultScenario } from '../faults/fault-run.js';

t.setTimeout(900_000);
t.test('100 buckets converge through create, update and delete with 20 % of S3 requests failing', async (t) => {
  const deadlineMs = 2000;
  const report = await runFaultScenario({
    buckets: Number(process.env.FAULT_BUCKETS ?? 100),
    rate: 0.2,
    seed: Number(process.env.FAULT_SEED ?? 6),
    deadlineMs,
    maxAttempts: 2,
    workers: 10,
    timeScale: 0.01,
    phaseMs: Number(process.env.FAULT_PHASE_MS ?? 180_000),
    nonEmpty: 10,
    log: (line) => t.comment(line),
  });
  assertFaultRun(t, report);
  assertAnswerTimes(t, report, { deadlineMs });
});
