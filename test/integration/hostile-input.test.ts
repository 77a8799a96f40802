// What a Bucket's author (or a token holder) can put in a request to make the answer huge or the hook
// fail, against Ceph RGW through the real adapter: a policy nested 10,000 deep (a stack overflow in the
// policy canonicaliser answered HTTP 500 on every sync), a 139 KB ignore-field-drift annotation (echoed
// into four condition messages: a 757 KB status) and 10,000 matching IAMRoleSelectors (a 397 KB answer).
// Each is now a 200 with a bounded answer that says what is wrong, and nothing reaches S3.
import t from 'tap';
import type { HookResponse } from '../../src/reconciler/model/resource.js';
import { ROLE_SELECTOR_GROUP } from '../../src/reconciler/rules/roles.js';
import { bucketResource, envelope } from '../support/envelope.js';
import { bucketExists, rgwHarness, uniqueBucket } from '../support/rgw.js';

const { mine, counter, app } = rgwHarness(t);
const A = { namespace: 'team-a', name: 'hostile', uid: 'aaaaaaaa-2323-4000-8000-000000000001' };
/** The whole answer must stay below this, whatever the input (the body limit allows 1 MiB of it). */
const ANSWER_LIMIT = 16 * 1024;

async function raw(body: unknown): Promise<{ status: number; bytes: number; answer: HookResponse }> {
  const res = await app.inject({ method: 'POST', url: '/sync', payload: body as Record<string, unknown> });
  return { status: res.statusCode, bytes: res.rawPayload.length, answer: res.json<HookResponse>() };
}
const terminal = (r: HookResponse) => r.status.conditions?.find((c) => c.type === 'ACK.Terminal');

t.test('a policy nested 10,000 deep (20 KB): InvalidSpec naming the limit, not a 500; nothing sent to S3', async (t) => {
  const name = uniqueBucket('deep-policy');
  counter.reset();
  const policy = `{"Statement":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
  const { status, answer } = await raw(envelope(bucketResource({ ...A, spec: { name, policy } })));
  t.equal(status, 200);
  t.same(
    [terminal(answer)?.reason, terminal(answer)?.message],
    [
      'InvalidSpec',
      'spec.policy nests objects and arrays deeper than 32 levels (a bucket policy needs about 6): flatten the document. Fix the Bucket resource; nothing was sent to S3.',
    ],
  );
  t.same(counter.calls, []);
  t.equal(await bucketExists(mine, name), false);
});

t.test('a 139 KB ignore-field-drift annotation: the entries are cut and counted, the answer stays small', async (t) => {
  const annotation = Array.from({ length: 12_600 }, (_, i) => `spec.x${i}`).join(',');
  t.ok(annotation.length > 139_000, `${annotation.length} characters`);
  counter.reset();
  const { status, bytes, answer } = await raw(
    envelope(bucketResource({ ...A, annotations: { 'services.k8s.aws/ignore-field-drift': annotation }, spec: { name: uniqueBucket('drift-echo') } })),
  );
  t.equal(status, 200);
  t.ok(bytes < ANSWER_LIMIT, `answer of ${bytes} bytes`);
  t.equal(terminal(answer)?.reason, 'InvalidSpec');
  t.match(
    terminal(answer)?.message,
    /^metadata\.annotations\["services\.k8s\.aws\/ignore-field-drift"\] names "spec\.x0", "spec\.x1", .*"spec\.x9" and 12,590 more, which are not a field this controller manages/,
  );
  t.same(counter.calls, []);
});

t.test('10,000 matching IAMRoleSelectors: the first ten named and the rest counted; nothing sent to S3', async (t) => {
  const selectors = Object.fromEntries(
    Array.from({ length: 10_000 }, (_, i) => [`s${i}`, { metadata: { name: `s${i}` }, spec: { arn: 'arn:aws:iam::111122223333:role/x' } }]),
  );
  counter.reset();
  const { status, bytes, answer } = await raw({
    ...envelope(bucketResource({ ...A, spec: { name: uniqueBucket('selectors') } })),
    related: { [ROLE_SELECTOR_GROUP]: selectors },
  });
  t.equal(status, 200);
  t.ok(bytes < ANSWER_LIMIT, `answer of ${bytes} bytes`);
  t.equal(terminal(answer)?.reason, 'RoleSelectorConflict');
  t.match(terminal(answer)?.message, /^IAMRoleSelectors s0, s1, s10, s100, s1000, s1001, s1002, s1003, s1004, s1005 and 9,990 more all match this Bucket/);
  t.same(counter.calls, []);
});
