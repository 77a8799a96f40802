// Health as GitOps tools read it, for every condition reason the README lists (the shared table in
// test/support/gitops-health-cases.ts: each reason produced by the real sync or finalize core over the fake
// S3), judged here, fast, by the rules of Argo CD and kstatus restated in our own code from their documented
// behaviour (test/support/gitops-health-rules.ts). The cluster suite (test/cluster/health.test.ts) checks the
// same table against the real libraries: each status stored on a real API server, then kstatus's Compute
// from sigs.k8s.io/cli-utils and Argo CD's own Lua rule for ACK kinds, run with gopher-lua.
// Plus what `kubectl wait --for=condition=Ready` needs: a Ready condition on every answer.
import t from 'tap';
import { sync } from '../support/core.js';
import { testDeps } from '../support/deps.js';
import { bucketResource } from '../support/envelope.js';
import { FakeS3 } from '../support/fake-s3.js';
import { failing, HEALTH_CASES, NAME, readmeReasons, viaSync } from '../support/gitops-health-cases.js';
import { argoHealth, argoRule, kstatus } from '../support/gitops-health-rules.js';

t.test('the table covers exactly the reasons the README lists', async (t) => {
  const listed = readmeReasons();
  t.ok(listed.length >= 20, `README lists ${listed.length} reasons`);
  t.same([...listed].sort(), Object.keys(HEALTH_CASES).sort());
});

for (const [reason, c] of Object.entries(HEALTH_CASES)) {
  t.test(`${reason}: Argo CD ${c.argo}, kstatus ${c.kstatus}`, async (t) => {
    const { input, response } = await c.make();
    const conditions = response.status.conditions ?? [];
    t.ok(
      conditions.some((x) => x.reason === reason),
      `the answer carries reason ${reason}: ${conditions.map((x) => `${x.type}=${x.reason}`).join(', ')}`,
    );
    t.ok(
      conditions.some((x) => x.type === 'Ready'),
      'a Ready condition, for kubectl wait --for=condition=Ready',
    );
    t.equal(conditions.at(-1)?.type, 'Ready', 'Ready is listed last');
    const written = bucketResource({ ...input, status: response.status });
    t.equal(argoRule(response.status), c.argoRule ?? c.argo, 'the rule for ACK kinds');
    t.equal(argoHealth({ metadata: written.metadata, status: response.status }), c.argo, 'what Argo CD shows');
    // Metacontroller sets observedGeneration to the generation it handed over.
    t.equal(kstatus({ metadata: written.metadata, status: { ...response.status, observedGeneration: written.metadata.generation } }), c.kstatus);
    const terminal = conditions.find((x) => x.type === 'ACK.Terminal');
    t.equal(conditions.find((x) => x.type === 'Stalled')?.status, terminal ? 'True' : undefined, 'Stalled mirrors ACK.Terminal');
    if (terminal) t.equal(conditions[0]?.type, 'ACK.Terminal', 'ACK.Terminal comes first');
  });
}

t.test('the order is stable: resyncing a terminal or a recovering Bucket returns the very status it received', async (t) => {
  const stores: Record<string, () => FakeS3> = {
    NameTaken: () => {
      const fake = new FakeS3();
      fake.seed(NAME, { owner: 'another-account' });
      return fake;
    },
    Throttled: () => failing('PutBucketVersioning', 'SlowDown', 'throttled', 503),
  };
  for (const [reason, store] of Object.entries(stores)) {
    const first = await viaSync(store(), {});
    const again = await sync(bucketResource({ ...first.input, status: first.response.status }), testDeps(store().factory()));
    t.strictSame(again.status, first.response.status, `${reason}: no churn`);
  }
});
