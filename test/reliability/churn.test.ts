// The soak's traffic, bounded by a count: 8 workers send 150 hook calls each over keep-alive HTTP to one
// app over the fake S3 (create, quick and full resyncs, updates, finalize and create again, bad input).
// Every outcome is checked; memory over time is the soak's, in test/long (soak-fake, soak-10min).
import t from 'tap';
import { runSoak } from '../support/soak-run.js';

const WORKERS = 8;
const STEPS = 150;

t.test(`${WORKERS * STEPS} hook calls over keep-alive HTTP: every answer as expected, S3 as the answers say, no handle left open`, async (t) => {
  const r = await runSoak({ target: 'fake', steps: STEPS, concurrency: WORKERS, buckets: 64, log: (l) => t.comment(l) });
  t.comment(`churn: by code ${JSON.stringify(r.byCode)}, by action ${JSON.stringify(r.byAction)}`);
  t.equal(r.requests, WORKERS * STEPS, 'every call was answered');
  t.same(
    Object.keys(r.byAction).sort(),
    ['bad envelope', 'finalize', 'invalid spec', 'resync (full)', 'resync (quick)', 'update'],
    'every kind of call was made',
  );
  t.same(r.byCode, { 200: r.requests - r.byAction['bad envelope']!, 400: r.byAction['bad envelope'] }, 'bad envelopes 400, everything else 200 (no 5xx)');
  t.ok(r.expectedBuckets.length > 0, `${r.expectedBuckets.length} buckets live at the end`);
  t.same(r.fakeBuckets, r.expectedBuckets, 'S3 holds exactly the buckets the answers reported and did not finalize since');
  t.ok(r.closed.handles <= r.before.handles, `handles back to the baseline once closed (${r.closed.handles} <= ${r.before.handles})`);
});
