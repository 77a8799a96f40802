// Soak: 30 s of continuous hook calls over HTTP against one app and the fake S3 (10 minutes against Ceph
// RGW in test/long): RSS, heap and open handles stay flat.
import t from 'tap';
import { runSoak } from '../support/soak-run.js';
import { assertSoak } from '../support/soak-assert.js';

t.setTimeout(120_000);
t.test('30 s soak over the fake S3: memory and handles stay flat', async (t) => {
  const report = await runSoak({ target: 'fake', durationMs: Number(process.env.SOAK_MS ?? 30_000), warmupMs: 8_000, concurrency: 8, buckets: 64, log: (l) => t.comment(l) });
  assertSoak(t, report);
});
