// The coordinates ConfigMap of a Bucket that opted in (src/reconciler/coordinates.ts): its keys per
// endpoint and addressing style, when it is written, kept and left out, the ConfigMapReady condition,
// and the customize hook's answer.
import t from 'tap';
import { withCoordinates } from '../support/core.js';
import { ANNOTATION } from '../../src/reconciler/rules/annotations.js';
import { awsEndpoint, configMapNameProblem, coordinatesOf, customizeAnswer } from '../../src/reconciler/rules/coordinates.js';
import type { BucketStatus, Condition, ConditionStatus, HookResponse, KubeObject, Observed } from '../../src/reconciler/model/resource.js';
import { bucketResource } from '../support/envelope.js';

const NAME = 'team-a-artifacts-7f3c';
const UID = '7d4f9a52-1c3e-4b8a-9f0e-2a6b5c8d1e01';
const AWS = { endpoint: undefined, forcePathStyle: false };
const RGW = { endpoint: 'http://127.0.0.1:7480/', forcePathStyle: true };
const NOW = new Date('2026-11-24T10:00:00Z');
const OPT_IN = { [ANNOTATION.coordinatesConfigMap]: 'artifacts-s3' };

const cond = (type: string, status: ConditionStatus, reason: string): Condition => ({
  type,
  status,
  reason,
  message: reason,
  lastTransitionTime: '2026-11-24T09:00:00Z',
});
const ready: BucketStatus = {
  ackResourceMetadata: { region: 'eu-west-1', arn: `arn:aws:s3:::${NAME}` },
  conditions: [cond('ACK.ResourceSynced', 'True', 'Synced'), cond('Ready', 'True', 'Available')],
  observedGeneration: 1,
};
const throttled: BucketStatus = {
  ...ready,
  conditions: [
    cond('ACK.Recoverable', 'True', 'Throttled'),
    cond('ACK.ResourceSynced', 'False', 'Throttled'),
    cond('Reconciling', 'True', 'Throttled'),
    cond('Ready', 'False', 'Throttled'),
  ],
};
const creating: BucketStatus = {
  ackResourceMetadata: { region: 'eu-west-1', arn: `arn:aws:s3:::${NAME}` },
  conditions: [cond('ACK.ResourceSynced', 'False', 'Creating'), cond('Ready', 'False', 'Creating')],
};
const ownedMap = (data: Record<string, string>, uid = UID): Observed['children'] => ({
  'ConfigMap.v1': {
    'artifacts-s3': {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'artifacts-s3', namespace: 'team-a', ownerReferences: [{ uid, controller: true }] },
      data,
    },
  },
});
const answer = (status: BucketStatus): HookResponse => ({ status, children: [], resyncAfterSeconds: 600 });
const configMapCondition = (r: HookResponse) => r.status.conditions?.find((c) => c.type === 'ConfigMapReady');
const types = (r: HookResponse) => r.status.conditions?.map((c) => c.type);

t.test('the keys: AWS regional endpoint, virtual-hosted; a custom endpoint path-style; dotted names path-style', async (t) => {
  t.same(coordinatesOf(NAME, 'eu-west-1', `arn:aws:s3:::${NAME}`, AWS), {
    AWS_ENDPOINT_URL_S3: 'https://s3.eu-west-1.amazonaws.com',
    AWS_REGION: 'eu-west-1',
    BUCKET_ARN: `arn:aws:s3:::${NAME}`,
    BUCKET_NAME: NAME,
    BUCKET_URL: `https://${NAME}.s3.eu-west-1.amazonaws.com`,
    S3_ADDRESSING_STYLE: 'virtual',
  });
  t.same(coordinatesOf(NAME, 'us-east-1', `arn:aws:s3:::${NAME}`, RGW), {
    AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:7480',
    AWS_REGION: 'us-east-1',
    BUCKET_ARN: `arn:aws:s3:::${NAME}`,
    BUCKET_NAME: NAME,
    BUCKET_URL: `http://127.0.0.1:7480/${NAME}`,
    S3_ADDRESSING_STYLE: 'path',
  });
  t.equal(
    coordinatesOf('logs.example.com', 'eu-west-1', 'arn:aws:s3:::logs.example.com', AWS).BUCKET_URL,
    'https://s3.eu-west-1.amazonaws.com/logs.example.com',
    'dots: path-style (a virtual-hosted name would fail TLS)',
  );
  t.equal(
    coordinatesOf(NAME, 'eu-west-1', 'arn', { endpoint: 'https://minio.example:9000', forcePathStyle: false }).BUCKET_URL,
    `https://${NAME}.minio.example:9000`,
    'a custom endpoint without path style: virtual-hosted on its host',
  );
  t.equal(awsEndpoint('cn-north-1'), 'https://s3.cn-north-1.amazonaws.com.cn');
});

t.test('a Bucket that did not opt in: the answer untouched, the same object', async (t) => {
  const response = answer(ready);
  t.equal(withCoordinates(bucketResource({ status: ready }), response, {}, AWS, NOW, false), response);
  t.equal(
    withCoordinates(bucketResource({ status: ready, deletionTimestamp: '2026-11-24T12:00:00Z' }), { ...response, finalized: false }, {}, AWS, NOW, true)
      .children.length,
    0,
  );
  const leftOver: BucketStatus = { ...ready, conditions: [ready.conditions![0]!, cond('ConfigMapReady', 'True', 'Published'), ready.conditions![1]!] };
  t.same(
    types(withCoordinates(bucketResource({ status: leftOver }), answer(leftOver), {}, AWS, NOW, false)),
    ['ACK.ResourceSynced', 'Ready'],
    'the annotation removed: its condition goes too',
  );
});

t.test('Ready, not yet written: the child is asked for, Requested until Metacontroller reports it', async (t) => {
  const received = bucketResource({ annotations: OPT_IN, status: ready });
  const first = withCoordinates(received, answer(ready), { children: { 'ConfigMap.v1': {} } }, AWS, NOW, false);
  t.same(first.children, [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'artifacts-s3', namespace: 'team-a', labels: { 'app.kubernetes.io/managed-by': 'bucket-hook' } },
      data: coordinatesOf(NAME, 'eu-west-1', `arn:aws:s3:::${NAME}`, AWS),
    },
  ]);
  t.match(configMapCondition(first), { status: 'Unknown', reason: 'Requested', lastTransitionTime: '2026-11-24T10:00:00Z' });
  t.same(types(first), ['ACK.ResourceSynced', 'ConfigMapReady', 'Ready'], 'before Ready, which stays last');
  // The next call: Metacontroller created it (owned) and reports it among the children.
  const later = new Date('2026-11-24T10:00:05Z');
  const second = withCoordinates(
    bucketResource({ annotations: OPT_IN, status: first.status }),
    answer(first.status),
    { children: ownedMap(first.children[0]!.data) },
    AWS,
    later,
    false,
  );
  t.same(second.children, first.children);
  t.match(configMapCondition(second), { status: 'True', reason: 'Published', lastTransitionTime: '2026-11-24T10:00:05Z' });
  t.match(
    configMapCondition(second)?.message,
    /ConfigMap "artifacts-s3" \(namespace team-a\) holds the coordinates of bucket "team-a-artifacts-7f3c" \(AWS_ENDPOINT_URL_S3, AWS_REGION, BUCKET_ARN, BUCKET_NAME, BUCKET_URL, S3_ADDRESSING_STYLE\)/,
  );
  const third = withCoordinates(
    bucketResource({ annotations: OPT_IN, status: second.status }),
    answer(second.status),
    { children: ownedMap(first.children[0]!.data) },
    AWS,
    new Date('2026-11-24T11:00:00Z'),
    false,
  );
  t.strictSame(third.status, second.status, 'stable: nothing moves, Metacontroller writes nothing');
});

t.test('never written while not Ready; once written, kept while the bucket is reported', async (t) => {
  const waiting = withCoordinates(bucketResource({ annotations: OPT_IN }), answer(creating), {}, AWS, NOW, false);
  t.same(waiting.children, []);
  t.match(configMapCondition(waiting), { status: 'False', reason: 'WaitingForBucket' });
  const notYet = withCoordinates(bucketResource({ annotations: OPT_IN, status: ready }), answer(throttled), {}, AWS, NOW, false);
  t.same(notYet.children, [], 'a Ready=False answer never writes a first ConfigMap');
  const data = coordinatesOf(NAME, 'eu-west-1', `arn:aws:s3:::${NAME}`, AWS);
  const kept = withCoordinates(bucketResource({ annotations: OPT_IN, status: ready }), answer(throttled), { children: ownedMap(data) }, AWS, NOW, false);
  t.same(
    kept.children.map((c) => c.data),
    [data],
    'Throttled: the running pods keep their ConfigMap',
  );
  t.equal(configMapCondition(kept)?.reason, 'Published');
  const unreported: BucketStatus = { ...throttled, ackResourceMetadata: { region: 'eu-west-1' } };
  const dropped = withCoordinates(bucketResource({ annotations: OPT_IN, status: ready }), answer(unreported), { children: ownedMap(data) }, AWS, NOW, false);
  t.same(dropped.children, [], 'the bucket no longer reported (not ours): Metacontroller deletes it');
});

t.test('a ConfigMap of that name the Bucket does not own: left alone, ConfigMapNameTaken', async (t) => {
  const foreign: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'artifacts-s3', namespace: 'team-a' }, data: { app: 'theirs' } };
  const res = withCoordinates(
    bucketResource({ annotations: OPT_IN, status: ready }),
    answer(ready),
    { children: { 'ConfigMap.v1': {} }, related: { 'ConfigMap.v1': { 'artifacts-s3': foreign } } },
    AWS,
    NOW,
    false,
  );
  t.same(res.children, [], 'not asked for, so Metacontroller cannot overwrite it');
  t.match(configMapCondition(res), { status: 'False', reason: 'ConfigMapNameTaken' });
  t.match(configMapCondition(res)?.message, /exists and is not owned by this Bucket, so the hook left it as it is/);
  const otherOwner = { ...foreign, metadata: { ...foreign.metadata, ownerReferences: [{ uid: 'another-uid', controller: true }] } };
  t.equal(
    configMapCondition(
      withCoordinates(
        bucketResource({ annotations: OPT_IN, status: ready }),
        answer(ready),
        { related: { 'ConfigMap.v1': { 'team-a/artifacts-s3': otherOwner } } },
        AWS,
        NOW,
        false,
      ),
    )?.reason,
    'ConfigMapNameTaken',
    'v2 keys (namespace/name) too',
  );
  const elsewhere = { ...foreign, metadata: { ...foreign.metadata, namespace: 'team-b' } };
  t.equal(
    configMapCondition(
      withCoordinates(
        bucketResource({ annotations: OPT_IN, status: ready }),
        answer(ready),
        { related: { 'ConfigMap.v1': { 'artifacts-s3': elsewhere } } },
        AWS,
        NOW,
        false,
      ),
    )?.reason,
    'Requested',
    'one of that name in another namespace is no collision',
  );
  const ours = { ...foreign, metadata: { ...foreign.metadata, ownerReferences: [{ uid: UID, controller: true }] } };
  const related = withCoordinates(
    bucketResource({ annotations: OPT_IN, status: ready }),
    answer(ready),
    { related: { 'ConfigMap.v1': { 'artifacts-s3': ours } } },
    AWS,
    NOW,
    false,
  );
  t.equal(related.children.length, 1, 'owned by this Bucket (seen as related, not yet as a child): ours');
});

t.test('an invalid name: InvalidConfigMapName, no child', async (t) => {
  const res = withCoordinates(
    bucketResource({ annotations: { [ANNOTATION.coordinatesConfigMap]: 'Not_Valid' }, status: ready }),
    answer(ready),
    {},
    AWS,
    NOW,
    false,
  );
  t.same(res.children, []);
  t.match(configMapCondition(res), { status: 'False', reason: 'InvalidConfigMapName' });
  t.equal(configMapNameProblem('x'.repeat(254)), 'is longer than 253 characters');
  t.equal(configMapNameProblem('app.config-1'), undefined);
  t.same(customizeAnswer(bucketResource({ annotations: { [ANNOTATION.coordinatesConfigMap]: 'Not_Valid' } })), { relatedResources: [] });
});

t.test('finalize keeps the written ConfigMap until finalized', async (t) => {
  const data = { BUCKET_NAME: NAME };
  const deleting = bucketResource({ annotations: OPT_IN, status: ready, deletionTimestamp: '2026-11-24T12:00:00Z' });
  const waiting = withCoordinates(deleting, { status: throttled, children: [], finalized: false }, { children: ownedMap(data) }, AWS, NOW, true);
  t.same(
    waiting.children.map((c) => [c.metadata.name, c.data]),
    [['artifacts-s3', data]],
    'BucketNotEmpty waits: the apps keep it',
  );
  t.same(
    withCoordinates(deleting, { status: throttled, children: [], finalized: true }, { children: ownedMap(data) }, AWS, NOW, true).children,
    [],
    'finalized: it goes',
  );
  t.same(withCoordinates(deleting, { status: throttled, children: [], finalized: false }, {}, AWS, NOW, true).children, [], 'never written: nothing');
});

t.test('the customize answer names the ConfigMap as a related object', async (t) => {
  t.same(customizeAnswer(bucketResource({ annotations: OPT_IN })), {
    relatedResources: [{ apiVersion: 'v1', resource: 'configmaps', namespace: 'team-a', names: ['artifacts-s3'] }],
  });
  t.same(customizeAnswer(bucketResource()), { relatedResources: [] });
});
