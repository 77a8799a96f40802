// npm run test:long: a 10-minute soak against Ceph RGW through the real SDK adapter (SOAK_MS to change it).
import t from 'tap';
import { assertSoak } from '../support/soak-assert.js';
import { runSoak } from '../support/soak-run.js';

t.setTimeout(1_200_000);
t.test('10-minute soak over Ceph RGW: memory and handles stay flat', async (t) => {
  const report = await runSoak({
    target: 'rgw',
    durationMs: Number(process.env.SOAK_MS ?? 600_000),
    warmupMs: 60_000,
    concurrency: 8,
    buckets: 64,
    sampleMs: 5000,
    log: (l) => t.comment(l),
  });
  assertSoak(t, report);
});
