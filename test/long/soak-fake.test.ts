// npm run test:long: a 30 s soak of continuous hook calls over HTTP against one app and the fake S3 (SOAK_MS
// to change it): RSS, heap and open handles stay flat. The default run sends the same traffic bounded by a
// count instead (test/reliability/churn.test.ts), without the memory checks.
import t from 'tap';
import { runSoak } from '../support/soak-run.js';
import { assertSoak } from '../support/soak-assert.js';

t.setTimeout(120_000);
t.test('30 s soak over the fake S3: memory and handles stay flat', async (t) => {
  const report = await runSoak({
    target: 'fake',
    durationMs: Number(process.env.SOAK_MS ?? 30_000),
    warmupMs: 8_000,
    concurrency: 8,
    buckets: 64,
    log: (l) => t.comment(l),
  });
  assertSoak(t, report);
});
