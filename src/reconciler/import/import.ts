// Importing a bucket that exists (`npm run import`, src/cli/import.ts): read every sub-resource the spec
// can manage through the same fields a sync uses, turn what S3 holds back into the spec's shape (an
// inverse per field), and make a Bucket manifest with adoption-policy adopt whose spec the hook reads as
// in sync, so that applying it writes no setting. What S3 reports as its default is left out (unmanaged);
// a sub-resource that cannot be read is left out with a note; a value that would not read back as in
// sync is left out with a note too (each field is checked with its own inSync, the whole spec with
// resolveDesired). A bucket whose ownership tags name a Bucket resource is not imported: it is managed.
// Pure over the port: no SDK, no YAML (the CLI renders).
import { isS3Error, type Presence, type S3Error, type S3Port } from '../../s3/port.js';
import { ANNOTATION, OWNER_TAG } from '../rules/annotations.js';
import { bucketNameProblem } from '../rules/bucket-name.js';
import { isRecord } from '../../schema/record.js';
import { resolveDesired } from '../rules/desired.js';
import { FIELDS } from '../fields/index.js';
import { taggingField } from '../fields/tagging.js';
import { isOwnershipTag, ownerOf } from '../rules/ownership.js';
import type { BucketResource } from '../model/resource.js';
import type { AnyField, DesiredSpec, ResourceRef } from '../model/types.js';

export interface ImportOptions {
  namespace: string;
  region: string;
  /** FOREIGN_TAG_PREFIXES, as the hook has it: tags under them are left out of the spec. */
  foreignTagPrefixes?: readonly string[] | undefined;
}

export interface BucketManifest {
  apiVersion: 's3.services.k8s.aws/v1alpha1';
  kind: 'Bucket';
  metadata: { name: string; namespace: string; annotations: Record<string, string> };
  spec: Record<string, unknown>;
}

export type ImportResult = { bucket: string; manifest: BucketManifest; notes: string[] } | { bucket: string; skipped: string };

type Fragment = Record<string, unknown>;

/** The spec that means "S3's default" for each field: a reading in sync with it is left out. */
const DEFAULTS: Record<string, Fragment> = {
  'spec.versioning': { versioning: { status: 'Suspended' } },
  'spec.accelerate': { accelerate: { status: 'Suspended' } },
  'spec.abac': { abac: { status: 'Disabled' } },
  'spec.requestPayment': { requestPayment: { payer: 'BucketOwner' } },
  'spec.publicAccessBlock': { publicAccessBlock: {} },
  'spec.ownershipControls': { ownershipControls: { rules: [] } },
  'spec.encryption': { encryption: { rules: [] } },
  'spec.policy': { policy: '' },
  'spec.acl': { acl: 'private' },
  'spec.lifecycle': { lifecycle: { rules: [] } },
  'spec.cors': { cors: { corsRules: [] } },
  'spec.website': { website: {} },
  'spec.logging': { logging: {} },
  'spec.notification': { notification: {} },
  'spec.replication': { replication: { rules: [] } },
  'spec.analytics': { analytics: [] },
  'spec.metrics': { metrics: [] },
  'spec.inventory': { inventory: [] },
  'spec.intelligentTiering': { intelligentTiering: [] },
};

const CANNED = ['public-read', 'public-read-write', 'authenticated-read', 'log-delivery-write'];
const GRANT_HEADER: Record<string, string> = {
  FULL_CONTROL: 'grantFullControl',
  READ: 'grantRead',
  READ_ACP: 'grantReadACP',
  WRITE: 'grantWrite',
  WRITE_ACP: 'grantWriteACP',
};

/** A bucket ACL as the spec's canned name (when one expands to exactly these grants) or header grants. */
function aclSpec(observed: unknown, inSync: (fragment: Fragment) => boolean): Fragment | undefined {
  for (const acl of CANNED) if (inSync({ acl })) return { acl };
  const grants = isRecord(observed) && Array.isArray(observed.grants) ? observed.grants.filter(isRecord) : [];
  const headers: Record<string, string[]> = {};
  for (const g of grants) {
    const header = GRANT_HEADER[String(g.permission)];
    const grantee = isRecord(g.grantee) ? g.grantee : {};
    const who =
      typeof grantee.uRI === 'string'
        ? `uri="${grantee.uRI}"`
        : typeof grantee.id === 'string'
          ? `id="${grantee.id}"`
          : typeof grantee.emailAddress === 'string'
            ? `emailAddress="${grantee.emailAddress}"`
            : undefined;
    if (header && who) (headers[header] ??= []).push(who);
  }
  const fragment = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v.join(', ')]));
  return Object.keys(fragment).length > 0 ? fragment : undefined;
}

/** A JSON policy laid out for reading (compared as a document, so the layout does not matter). */
function policyText(observed: string): string {
  try {
    return JSON.stringify(JSON.parse(observed), null, 2);
  } catch {
    return observed;
  }
}

/** What S3 holds, in the spec's shape: the fragment of the spec that asks for exactly it. */
function inverse(path: string, observed: unknown, inSync: (fragment: Fragment) => boolean): Fragment | undefined {
  const key = path.slice('spec.'.length);
  if (observed === undefined || observed === null) return undefined;
  switch (path) {
    case 'spec.acl':
      return aclSpec(observed, inSync);
    case 'spec.policy':
      return typeof observed === 'string' ? { policy: policyText(observed) } : undefined;
    case 'spec.objectLockConfiguration': {
      if (!isRecord(observed) || observed.objectLockEnabled !== 'Enabled') return undefined;
      const rule = isRecord(observed.rule) && isRecord(observed.rule.defaultRetention) ? { rule: observed.rule } : undefined;
      return rule ? { objectLockEnabledForBucket: true, objectLockConfiguration: rule } : { objectLockEnabledForBucket: true };
    }
    default:
      if (Array.isArray(observed)) return observed.length > 0 ? { [key]: observed } : undefined;
      return isRecord(observed) ? { [key]: observed } : undefined;
  }
}

function why(error: S3Error): string {
  return `${error.operation} answered ${error.code}${error.httpStatus ? ` (HTTP ${error.httpStatus})` : ''}`;
}

/** The object name: the bucket's, a DNS label (dots become hyphens). */
function objectName(bucket: string): string {
  return bucket.replace(/\./g, '-');
}

/** Reads one bucket and makes its manifest, or says why it is not imported. */
export async function importBucket(port: S3Port, bucket: string, options: ImportOptions, signal?: AbortSignal): Promise<ImportResult> {
  const nameProblem = bucketNameProblem(bucket);
  if (nameProblem) return { bucket, skipped: `its name ${nameProblem}, so a Bucket resource cannot name it` };
  let presence: Presence;
  try {
    presence = await port.headBucket(bucket, signal);
  } catch (err) {
    if (!isS3Error(err)) throw err;
    return { bucket, skipped: `HeadBucket failed: ${why(err)}` };
  }
  if (presence.kind === 'absent') return { bucket, skipped: 'it no longer exists' };
  if (presence.kind === 'forbidden') return { bucket, skipped: 'HeadBucket answered 403: these credentials may not read it' };
  if (presence.kind === 'elsewhere')
    return {
      bucket,
      skipped: `it is in ${presence.region ?? 'another region'}, not ${options.region}: run the import again with --region ${presence.region ?? 'REGION'}`,
    };

  const ref: ResourceRef = { namespace: options.namespace, name: objectName(bucket), uid: '00000000-0000-4000-8000-000000000000', generation: 1 };
  const ctx = { port, bucket, ref, signal };
  let tags: Record<string, string>;
  try {
    tags = await port.getBucketTags(bucket, signal);
  } catch (err) {
    if (!isS3Error(err)) throw err;
    return { bucket, skipped: `its tags cannot be read (${why(err)}), so whether another Bucket resource manages it is unknown` };
  }
  // Owner tags are read back from S3, where they may hold any text: only well-formed Kubernetes names are
  // ever quoted, and a bucket whose ownership tags are not such names is left for a person to look at.
  const owner = ownerOf(tags);
  if (owner) {
    const who = `${owner.namespace ?? '?'}/${owner.name ?? '?'}`;
    return {
      bucket,
      skipped: `its ownership tags say Bucket ${who} (uid ${owner.uid}) manages it; to move it here, that Bucket's owners set ${ANNOTATION.deletionPolicy}: retain and delete it, which releases the bucket`,
    };
  }
  if (Object.keys(tags).some((key) => key === OWNER_TAG.uid || key === OWNER_TAG.namespace || key === OWNER_TAG.name)) {
    return {
      bucket,
      skipped: `its ownership tags (${OWNER_TAG.namespace}, name, uid) are not Kubernetes names, so they were not written by this controller for a Bucket resource: check them by hand (their values are not shown here), remove them, and import again`,
    };
  }

  const notes: string[] = [];
  const fields = FIELDS.filter((f) => f !== taggingField);
  const readings = await Promise.all(
    fields.map(async (field): Promise<{ field: AnyField; value: unknown } | { field: AnyField; error: S3Error }> => {
      try {
        return { field, value: await field.read(ctx) };
      } catch (err) {
        if (!isS3Error(err)) throw err;
        return { field, error: err };
      }
    }),
  );
  const foreign = options.foreignTagPrefixes ?? [];
  const desiredSpec = (spec: Fragment, tagList?: DesiredSpec['tags']): DesiredSpec => ({
    ref,
    bucketName: bucket,
    region: options.region,
    deletionPolicy: 'retain',
    adoptionPolicy: 'adopt',
    readOnly: false,
    locationConstraint: undefined,
    tags: tagList,
    create: {},
    spec: { name: bucket, ...spec },
    ...(foreign.length > 0 ? { foreignTagPrefixes: foreign } : {}),
  });
  const matches = (field: AnyField, fragment: Fragment, observed: unknown): boolean => {
    try {
      const value = field.desired(desiredSpec(fragment));
      return value !== undefined && field.inSync(value, observed);
    } catch {
      return false;
    }
  };

  const spec: Fragment = { name: bucket };
  const userTags = Object.entries(tags).filter(([k]) => !isOwnershipTag(k) && !k.startsWith('aws:') && !foreign.some((p) => k.startsWith(p)));
  if (userTags.length > 0) {
    const tagSet = userTags.map(([key, value]) => ({ key, value }));
    const value = taggingField.desired(desiredSpec({ tagging: { tagSet } }, tagSet));
    if (value && taggingField.inSync({ ...value, owner: {} }, tags)) spec.tagging = { tagSet };
    else notes.push('spec.tagging not imported: its tags would not read back as they are; left unmanaged');
  }
  for (const reading of readings) {
    const { field } = reading;
    if ('error' in reading) {
      notes.push(`${field.path} not imported: ${why(reading.error)}; left unmanaged`);
      continue;
    }
    const fallback = DEFAULTS[field.path];
    if (fallback && matches(field, fallback, reading.value)) continue;
    const fragment = inverse(field.path, reading.value, (f) => matches(field, f, reading.value));
    if (!fragment) continue;
    if (matches(field, fragment, reading.value)) Object.assign(spec, fragment);
    else notes.push(`${field.path} not imported: what S3 holds would not read back as in sync; left unmanaged`);
  }

  const annotations = { [ANNOTATION.adoptionPolicy]: 'adopt', [ANNOTATION.region]: options.region, [ANNOTATION.deletionPolicy]: 'retain' };
  // The whole spec as the hook will resolve it: the schema and the rules across fields. A field it
  // refuses is left out (and the rest checked again).
  for (let attempt = 0; attempt < FIELDS.length; attempt++) {
    const resource: BucketResource = {
      apiVersion: 's3.services.k8s.aws/v1alpha1',
      kind: 'Bucket',
      metadata: { name: ref.name, namespace: ref.namespace, uid: ref.uid, annotations },
      spec,
    };
    const resolved = resolveDesired(resource, { region: options.region, deletionPolicy: 'retain', foreignTagPrefixes: foreign });
    if (resolved.ok) break;
    const top = /^spec\.([A-Za-z]+)/.exec(resolved.problem.path)?.[1];
    if (!top || top === 'name' || !(top in spec)) return { bucket, skipped: `${resolved.problem.path} ${resolved.problem.message}` };
    delete spec[top];
    notes.push(`spec.${top} not imported: ${resolved.problem.path} ${resolved.problem.message}; left unmanaged`);
  }
  return {
    bucket,
    manifest: { apiVersion: 's3.services.k8s.aws/v1alpha1', kind: 'Bucket', metadata: { name: ref.name, namespace: options.namespace, annotations }, spec },
    notes,
  };
}
