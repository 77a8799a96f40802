// ACK's own e2e manifests, reconciled against Ceph RGW through the real hook: each one is accepted and
// either reaches Synced, or says precisely which fields RGW cannot do (never a silent success), and a
// second sync makes no new writes beyond retrying those fields.
import { CreateBucketCommand, type BucketLocationConstraint } from '@aws-sdk/client-s3';
import t from 'tap';
import type { HookResponse } from '../../src/reconciler/resource.js';
import { loadCorpus, VARIABLES } from '../support/ack-corpus.js';
import { envelope } from '../support/envelope.js';
import { CallCounter, hookApp, rawClient, removeBucket, rgwEnv, uniqueBucket } from '../support/rgw.js';

const env = rgwEnv();
const mine = rawClient(env, 'hook');
const counter = new CallCounter();
const app = hookApp(env, counter);

// Fresh names per manifest, as ACK's e2e tests use (RGW keeps buckets until it stops).
const made: string[] = [];
function variablesFor(file: string): Record<string, string> {
  const fresh = (prefix: string) => {
    const name = uniqueBucket(prefix);
    made.push(name);
    return name;
  };
  const adopted = fresh('ack-adopted');
  return {
    ...VARIABLES,
    BUCKET_NAME: fresh('ack-e2e'),
    RANDOM_BUCKET_NAME: fresh('ack-rand'),
    ADOPT_OR_CREATE_BUCKET_NAME: fresh('ack-aoc'),
    STACK_BUCKET_NAME: fresh('ack-stack'),
    REPLICATION_BUCKET_NAME: fresh('ack-repl'),
    ADOPTED: adopted,
    ADOPTION_FIELDS: JSON.stringify({ name: adopted }),
    // ACK's tests run the adopt-or-create manifests with that policy.
    ADOPTION_POLICY: file.includes('adopt_or_create') ? 'adopt-or-create' : 'adopt',
  };
}

/** What RGW 16.2 answers InvalidArgument / MethodNotAllowed / NotImplemented to (see s3-test-server.md). */
const RGW_LACKS = new Set(['spec.encryption', 'spec.ownershipControls', 'spec.logging', 'spec.accelerate', 'spec.abac', 'spec.metrics', 'spec.analytics', 'spec.inventory', 'spec.intelligentTiering', 'spec.notification', 'spec.replication', 'spec.requestPayment', 'spec.objectLockConfiguration']);

/** Values RGW refuses in a specific manifest, with the reason. */
const RGW_REFUSES: Record<string, string[]> = {
  'bucket_logging.yaml': ['spec.acl'], // RGW has no log-delivery-write canned ACL for buckets
  'directory_bucket_policy.yaml': ['spec.policy'], // an s3express: action on an S3 Express ARN
};

t.teardown(async () => {
  for (const b of made) await removeBucket(mine, b);
  await app.close();
  mine.destroy();
});

async function post(parent: unknown, status?: unknown): Promise<HookResponse> {
  const p = { ...(parent as Record<string, unknown>), ...(status ? { status } : {}) };
  const res = await app.inject({ method: 'POST', url: '/sync', payload: envelope(p as never) });
  if (res.statusCode !== 200) throw new Error(`hook answered ${res.statusCode}: ${res.body}`);
  return res.json<HookResponse>();
}

let uid = 0;
for (const { file } of loadCorpus()) {
  t.test(file, async (t) => {
    const variables = variablesFor(file);
    const docs = loadCorpus(variables).find((e) => e.file === file)!.docs;
    // The bucket an "adopt" manifest points at exists beforehand, made by hand.
    await mine.send(new CreateBucketCommand({ Bucket: variables.ADOPTED, CreateBucketConfiguration: { LocationConstraint: env.region as BucketLocationConstraint } }));
    const doc = docs[0] as { metadata: Record<string, unknown>; spec?: Record<string, unknown> };
    const parent = { ...doc, metadata: { ...doc.metadata, namespace: 'ack-e2e', uid: `00000000-0000-4000-8000-${String(++uid).padStart(12, '0')}`, generation: 1 } };
    counter.reset();
    const first = await post(parent);
    const synced = first.status.conditions?.find((c) => c.type === 'ACK.ResourceSynced');
    const terminal = first.status.conditions?.find((c) => c.type === 'ACK.Terminal');
    if (synced?.status === 'True') {
      t.pass('synced');
    } else if (terminal?.reason === 'InvalidSpec') {
      t.match(terminal.message, /directory bucket|roleRef/, `refused up front for a stated reason: ${terminal.message}`);
      t.same(counter.calls, [], 'before any S3 call');
      return;
    } else {
      const paths = /^Not in sync: ([^.]+(?:\.[a-zA-Z]+)*(?:, spec\.[a-zA-Z]+)*)\./.exec(synced?.message ?? '')?.[1]?.split(', ') ?? [];
      t.ok(paths.length > 0, `names the fields: ${synced?.message}`);
      const expected = new Set([...RGW_LACKS, ...(RGW_REFUSES[file] ?? [])]);
      t.same(paths.filter((p) => !expected.has(p)), [], `only fields RGW lacks: ${paths.join(', ')}`);
    }
    const failing = new Set(counter.writes().filter((w) => synced?.message.includes(`${w} failed`)));
    counter.reset();
    await post(parent, first.status);
    t.same(counter.writes().filter((w) => !failing.has(w)), [], 'the second sync writes nothing new');
  });
}
