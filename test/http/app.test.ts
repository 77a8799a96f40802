// The HTTP edge: envelope validation, coded JSON errors, probes, and that a bug never stops the server.
import t from 'tap';
import { FakeS3 } from '../support/fake-s3.js';
import { bucketResource, envelope } from '../support/envelope.js';
import { testApp } from '../support/app.js';

const json = { 'content-type': 'application/json' };

t.test('sync answers 200 with the full hook response', async (t) => {
  const app = testApp(new FakeS3().factory());
  const res = await app.inject({ method: 'POST', url: '/sync', payload: envelope(bucketResource()) });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /application\/json/);
  const body = res.json<Record<string, unknown>>();
  t.same(Object.keys(body).sort(), ['children', 'resyncAfterSeconds', 'status']);
  t.same(body.children, []);
});

t.test('POST /sync with finalizing: true behaves as finalize', async (t) => {
  const fake = new FakeS3();
  const app = testApp(fake.factory());
  await app.inject({ method: 'POST', url: '/sync', payload: envelope(bucketResource()) });
  t.ok(fake.buckets.has('team-a-artifacts-7f3c'));
  const res = await app.inject({ method: 'POST', url: '/sync', payload: envelope(bucketResource({ deletionTimestamp: '2026-11-24T10:00:00Z' }), true) });
  t.equal(res.json<{ finalized: boolean }>().finalized, true);
  t.notOk(fake.buckets.has('team-a-artifacts-7f3c'));
});

const refusals: Array<[string, { url?: string; payload?: string; headers?: Record<string, string> }, number, string, RegExp]> = [
  ['malformed JSON', { payload: '{"parent": ', headers: json }, 400, 'FST_ERR_CTP_INVALID_JSON_BODY', /JSON/i],
  ['empty body', { payload: '', headers: json }, 400, 'FST_ERR_CTP_EMPTY_JSON_BODY', /empty/i],
  [
    'not JSON at all',
    { payload: 'parent=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
    415,
    'FST_ERR_CTP_INVALID_MEDIA_TYPE',
    /^Unsupported Media Type: Content-Type "application\/x-www-form-urlencoded"; the hook takes only JSON bodies \(Content-Type: application\/json\)$/,
  ],
  // Fastify parses text/plain by default; the hook does not (it was a 400 from the envelope schema).
  [
    'JSON sent as text/plain',
    { payload: JSON.stringify(envelope(bucketResource())), headers: { 'content-type': 'text/plain' } },
    415,
    'FST_ERR_CTP_INVALID_MEDIA_TYPE',
    /^Unsupported Media Type: Content-Type "text\/plain"; the hook takes only JSON bodies/,
  ],
  [
    'text/plain with a charset',
    { payload: '{}', headers: { 'content-type': 'text/plain; charset=utf-8' } },
    415,
    'FST_ERR_CTP_INVALID_MEDIA_TYPE',
    /Content-Type "text\/plain; charset=utf-8"/,
  ],
  [
    'another JSON-like type',
    { payload: JSON.stringify(envelope(bucketResource())), headers: { 'content-type': 'application/vnd.api+json' } },
    415,
    'FST_ERR_CTP_INVALID_MEDIA_TYPE',
    /Content-Type "application\/vnd\.api\+json"/,
  ],
  [
    'a body without a content type',
    { payload: JSON.stringify(envelope(bucketResource())), headers: {} },
    415,
    'FST_ERR_CTP_INVALID_MEDIA_TYPE',
    /^Unsupported Media Type: no Content-Type; the hook takes only JSON bodies/,
  ],
  ['no parent', { payload: JSON.stringify({ finalizing: false }), headers: json }, 400, 'FST_ERR_VALIDATION', /must have required property 'parent'/],
  [
    'parent without uid',
    { payload: JSON.stringify({ parent: { apiVersion: 's3.services.k8s.aws/v1alpha1', kind: 'Bucket', metadata: { name: 'x' } } }), headers: json },
    400,
    'FST_ERR_VALIDATION',
    /metadata must have required property 'uid'/,
  ],
  [
    'finalizing not a boolean',
    { payload: JSON.stringify({ ...envelope(bucketResource()), finalizing: 'yes' }), headers: json },
    400,
    'FST_ERR_VALIDATION',
    /finalizing must be boolean/,
  ],
  [
    'a Pod, not a Bucket',
    { payload: JSON.stringify(envelope({ ...bucketResource(), apiVersion: 'v1', kind: 'Pod' })), headers: json },
    422,
    'HOOK_WRONG_KIND',
    /parent is v1 \(kind Pod\); this hook serves only s3\.services\.k8s\.aws\/v1alpha1 Bucket/,
  ],
  [
    'finalize URL with finalizing false',
    { url: '/finalize', payload: JSON.stringify(envelope(bucketResource())), headers: json },
    400,
    'HOOK_NOT_FINALIZING',
    /POST it to \/sync/,
  ],
  ['unknown route', { url: '/reconcile', payload: '{}', headers: json }, 404, 'HOOK_NOT_FOUND', /serves POST \/sync and POST \/finalize/],
];

for (const [label, req, status, code, message] of refusals) {
  t.test(`refuses ${label} with ${status} JSON`, async (t) => {
    const fake = new FakeS3();
    const app = testApp(fake.factory());
    const res = await app.inject({ method: 'POST', url: req.url ?? '/sync', payload: req.payload ?? '', headers: req.headers ?? json });
    t.equal(res.statusCode, status);
    const body = res.json<{ code: string; message: string }>();
    t.equal(body.code, code);
    t.match(body.message, message);
    t.same(fake.calls, [], 'nothing reached S3');
  });
}

// Issue 23, finding 2: namespace, name and uid become the bucket's ownership tags (and its claim), which
// `npm run import` printed as YAML; a token holder made the hook write any text there. They are checked
// as Kubernetes names now: a namespace is a DNS-1123 label, a name a DNS-1123 subdomain.
const withMetadata = (metadata: Record<string, unknown>) => {
  const body = envelope(bucketResource()) as { parent: { metadata: Record<string, unknown> } };
  Object.assign(body.parent.metadata, metadata);
  return JSON.stringify(body);
};
const badNames: Array<[string, Record<string, unknown>, RegExp]> = [
  ['a namespace holding YAML', { namespace: 'x\n---\nkind: ClusterRoleBinding\n#' }, /^body\/parent\/metadata\/namespace must match pattern/],
  ['a namespace in capitals', { namespace: 'Team-A' }, /^body\/parent\/metadata\/namespace must match pattern/],
  ['a namespace of 64 characters', { namespace: 'a'.repeat(64) }, /^body\/parent\/metadata\/namespace must NOT have more than 63 characters/],
  ['an empty namespace', { namespace: '' }, /namespace must NOT have fewer than 1 characters/],
  ['no namespace (a Bucket is namespaced)', { namespace: undefined }, /metadata must have required property 'namespace'/],
  ['a name holding YAML', { name: 'x\nroleRef: {name: cluster-admin}\n#' }, /^body\/parent\/metadata\/name must match pattern/],
  ['a name ending in a dot', { name: 'artifacts.' }, /^body\/parent\/metadata\/name must match pattern/],
  ['a name of 254 characters', { name: `${'a'.repeat(250)}.abc` }, /^body\/parent\/metadata\/name must NOT have more than 253 characters/],
  ['a uid holding a newline', { uid: '7d4f9a52-1c3e-4b8a-9f0e-2a6b5c8d1e01\nsubjects: []' }, /^body\/parent\/metadata\/uid must match pattern/],
];
for (const [label, metadata, message] of badNames) {
  for (const url of ['/sync', '/customize']) {
    t.test(`refuses ${label} with a 400 JSON (${url})`, async (t) => {
      const fake = new FakeS3();
      const app = testApp(fake.factory());
      const res = await app.inject({ method: 'POST', url, payload: withMetadata(metadata), headers: json });
      t.equal(res.statusCode, 400);
      t.match(res.json<{ code: string; message: string }>(), { code: 'FST_ERR_VALIDATION', message });
      t.same(fake.calls, [], 'nothing reached S3');
    });
  }
}

t.test('Kubernetes names at their limits are accepted', async (t) => {
  const app = testApp(new FakeS3().factory());
  for (const metadata of [
    { namespace: 'a'.repeat(63) },
    { name: `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}` },
    { name: 'x' },
    { namespace: '0-9' },
    { uid: 'other-uid' },
  ]) {
    const res = await app.inject({ method: 'POST', url: '/sync', payload: withMetadata(metadata), headers: json });
    t.equal(res.statusCode, 200, JSON.stringify(Object.keys(metadata)));
  }
});

t.test('application/json with a charset, or in capitals, is JSON', async (t) => {
  const app = testApp(new FakeS3().factory());
  for (const type of ['application/json; charset=utf-8', 'Application/JSON']) {
    const res = await app.inject({ method: 'POST', url: '/sync', payload: JSON.stringify(envelope(bucketResource())), headers: { 'content-type': type } });
    t.equal(res.statusCode, 200, type);
  }
});

t.test('a body over the limit is refused with a JSON 413', async (t) => {
  const app = testApp(new FakeS3().factory(), { bodyLimitBytes: 2048 });
  const big = envelope(bucketResource({ annotations: { note: 'x'.repeat(4096) } }));
  const res = await app.inject({ method: 'POST', url: '/sync', payload: big });
  t.equal(res.statusCode, 413);
  t.equal(res.json<{ code: string }>().code, 'FST_ERR_CTP_BODY_TOO_LARGE');
});

t.test('an invalid spec is not an HTTP error: 200 with InvalidSpec', async (t) => {
  const app = testApp(new FakeS3().factory());
  const res = await app.inject({ method: 'POST', url: '/sync', payload: envelope(bucketResource({ spec: { name: 'abc', versioning: 'on' } })) });
  t.equal(res.statusCode, 200);
  const terminal = res.json<{ status: { conditions: Array<{ type: string; message: string }> } }>().status.conditions.find((c) => c.type === 'ACK.Terminal');
  t.equal(terminal?.message, 'spec.versioning must be object. Fix the Bucket resource; nothing was sent to S3.');
});

t.test('a mangled status from the body is ignored, not trusted', async (t) => {
  const app = testApp(new FakeS3().factory());
  const res = await app.inject({ method: 'POST', url: '/sync', payload: envelope({ ...bucketResource(), status: { conditions: 'nope' } as never }) });
  t.equal(res.statusCode, 200);
  t.equal(res.json<{ status: { conditions: unknown[] } }>().status.conditions.length, 2);
});

t.test('a bug answers 500 JSON without details, and the server keeps serving', async (t) => {
  let broken = true;
  const fake = new FakeS3();
  const app = testApp((region) => {
    if (broken) throw new TypeError('boom');
    return fake.port(region);
  });
  const res = await app.inject({ method: 'POST', url: '/sync', payload: envelope(bucketResource()) });
  t.equal(res.statusCode, 500);
  t.same(res.json(), { code: 'HOOK_ERROR', message: 'internal error in the hook; see its logs' });
  broken = false;
  const ok = await app.inject({ method: 'POST', url: '/sync', payload: envelope(bucketResource()) });
  t.equal(ok.statusCode, 200);
});

t.test('probes and keep-alive', async (t) => {
  const app = testApp(new FakeS3().factory());
  t.same((await app.inject({ url: '/healthz' })).json(), { status: 'ok' });
  t.same((await app.inject({ url: '/readyz' })).json(), { status: 'ready' });
  await app.ready();
  t.equal(app.server.keepAliveTimeout, 120_000, "outlives Metacontroller's 90 s idle timeout");
});
