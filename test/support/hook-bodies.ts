// The lifecycle stories behind hooks/: Metacontroller-shaped request bodies for each case, with the
// status of later calls taken from the hook's real answers to earlier ones (as Metacontroller does).
import type { BucketResource, HookResponse } from '../../src/reconciler/model/resource.js';
import { bucketResource, envelope, type BucketInput } from './envelope.js';

export const NAMES = {
  artifacts: 'team-a-artifacts-7f3c',
  taken: 'shared-reports-4d1a',
  adopted: 'legacy-reports-9b2e',
  readOnly: 'audit-archive-5c8f',
  site: 'team-d-site-2e7b',
} as const;

/** A Bucket using most of ACK's spec, in ACK's field names and shapes. */
export const FULL_SPEC = {
  name: NAMES.site,
  versioning: { status: 'Enabled' },
  tagging: {
    tagSet: [
      { key: 'team', value: 'd' },
      { key: 'cost-center', value: '42' },
    ],
  },
  publicAccessBlock: { blockPublicACLs: true, ignorePublicACLs: true, blockPublicPolicy: false, restrictPublicBuckets: false },
  policy: JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${NAMES.site}/*` }],
  }),
  cors: { corsRules: [{ allowedMethods: ['GET', 'HEAD'], allowedOrigins: ['https://d.example.com'], maxAgeSeconds: 3600 }] },
  lifecycle: {
    rules: [
      { id: 'expire-tmp', status: 'Enabled', filter: { prefix: 'tmp/' }, expiration: { days: 7 } },
      { id: 'abort-mpu', status: 'Enabled', filter: { prefix: '' }, abortIncompleteMultipartUpload: { daysAfterInitiation: 3 } },
    ],
  },
  website: { indexDocument: { suffix: 'index.html' }, errorDocument: { key: '404.html' } },
};

/** The same Bucket stating settings empty: each is removed from S3. */
export const EMPTIED_SPEC = { name: NAMES.site, policy: '', cors: { corsRules: [] }, lifecycle: { rules: [] }, website: {}, tagging: { tagSet: [] } };

export const SPEC = { name: NAMES.artifacts, versioning: { status: 'Enabled' }, tagging: { tagSet: [{ key: 'team', value: 'a' }] } };
export const SPEC_V2 = {
  name: NAMES.artifacts,
  versioning: { status: 'Suspended' },
  tagging: {
    tagSet: [
      { key: 'team', value: 'a' },
      { key: 'env', value: 'prod' },
    ],
  },
};
const DELETED_AT = '2026-11-24T12:00:00Z';

export interface Recorded {
  file: string;
  what: string;
  body: Record<string, unknown>;
}

type Call = (body: Record<string, unknown>) => Promise<HookResponse>;

function resource(input: BucketInput): BucketResource {
  return bucketResource(input);
}

/**
 * Runs the stories against `call` (the hook over a store that keeps the tags sent with CreateBucket, as
 * AWS does) and `rgwCall` (over a store that drops them, as Ceph RGW does), and returns every body sent,
 * in order.
 */
export async function recordStories(call: Call, rgwCall: Call): Promise<Recorded[]> {
  const out: Recorded[] = [];
  const send = async (file: string, what: string, body: Record<string, unknown>): Promise<HookResponse> => {
    out.push({ file, what, body });
    return call(body);
  };

  const created = await send(
    'sync-create.json',
    'First sync of a new Bucket (no status yet): creates the bucket with versioning and tags.',
    envelope(resource({ spec: SPEC })),
  );
  // On RGW the first sync only records the name (Ready=False, Creating); the next one, with that status, creates.
  const reserved = await rgwCall(envelope(resource({ spec: SPEC })));
  out.push({
    file: 'sync-create-reserved.json',
    what: 'Second sync of a new Bucket on a store that drops the tags sent with CreateBucket (Ceph RGW): the first answered Creating with the name recorded in the status; this one creates the bucket.',
    body: envelope(resource({ spec: SPEC, status: reserved.status })),
  });
  await send(
    'sync-resync.json',
    "Resync of the synced Bucket (status = the hook's last answer): changes nothing, answers the same status.",
    envelope(resource({ spec: SPEC, status: created.status, keepLastCheck: true })),
  );
  const updated = await send(
    'sync-update.json',
    'Spec edited (generation 2): versioning Suspended, a second tag; only those are written.',
    envelope(resource({ spec: SPEC_V2, generation: 2, status: created.status, keepLastCheck: true })),
  );
  await send(
    'finalize-retain.json',
    "kubectl delete of a Bucket annotated deletion-policy retain: finalized, bucket kept and released (the hook's ownership tags removed, so another Bucket may adopt it).",
    envelope(
      resource({
        spec: SPEC_V2,
        generation: 3,
        status: updated.status,
        keepLastCheck: true,
        deletionTimestamp: DELETED_AT,
        annotations: { 'services.k8s.aws/deletion-policy': 'retain' },
      }),
      true,
    ),
  );
  await send(
    'finalize-delete.json',
    'kubectl delete (generation bumped to 3 by the deletion): deletes the bucket if ours and empty.',
    envelope(resource({ spec: SPEC_V2, generation: 3, status: updated.status, keepLastCheck: true, deletionTimestamp: DELETED_AT }), true),
  );

  await send(
    'sync-name-taken.json',
    'spec.name owned by another account: terminal NameTaken.',
    envelope(resource({ namespace: 'team-b', name: 'reports', uid: '3e8c1f20-9a7b-4d65-b2c1-8f9e0d1a2b3c', spec: { name: NAMES.taken } })),
  );
  await send(
    'sync-invalid-name.json',
    'spec.name breaks S3 naming rules: terminal InvalidSpec, no S3 call.',
    envelope(resource({ namespace: 'team-b', name: 'bad-name', uid: '5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', spec: { name: 'Team_B..Reports' } })),
  );
  await send(
    'sync-adopt.json',
    'ACK-style adoption (annotations only, no spec) of an existing bucket of this account: tagged as ours, nothing else changed.',
    envelope({
      ...resource({
        namespace: 'team-c',
        name: 'legacy-reports',
        uid: '9c2d4e6f-8a1b-4c3d-9e5f-7a8b9c0d1e2f',
        annotations: {
          'services.k8s.aws/adoption-policy': 'adopt',
          'services.k8s.aws/adoption-fields': JSON.stringify({ name: NAMES.adopted }),
          'services.k8s.aws/deletion-policy': 'retain',
        },
      }),
      spec: undefined,
    }),
  );
  await send(
    'sync-read-only.json',
    'Read-only Bucket: observes an existing bucket and reports, never writes.',
    envelope(
      resource({
        namespace: 'team-c',
        name: 'audit',
        uid: '1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b',
        annotations: { 'services.k8s.aws/read-only': 'true' },
        spec: { name: NAMES.readOnly },
      }),
    ),
  );
  const site = await send(
    'sync-full-spec.json',
    "A Bucket using most of ACK's spec (versioning, tags, public access block, policy, CORS, lifecycle, website): each applied in S3's order.",
    envelope(resource({ namespace: 'team-d', name: 'site', uid: '6b7c8d9e-0f1a-4b2c-8d3e-4f5a6b7c8d9e', spec: FULL_SPEC })),
  );
  await send(
    'sync-remove-settings.json',
    'The same Bucket with settings stated empty (policy "", corsRules [], rules [], website {}, tagSet []): each is removed, and only what S3 reported as set.',
    envelope(
      resource({
        namespace: 'team-d',
        name: 'site',
        uid: '6b7c8d9e-0f1a-4b2c-8d3e-4f5a6b7c8d9e',
        generation: 2,
        spec: EMPTIED_SPEC,
        status: site.status,
        keepLastCheck: true,
      }),
    ),
  );
  return out;
}
