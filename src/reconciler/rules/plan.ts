// Plan, then approve: pure. A Bucket that needs approval (annotation s3.services.k8s.aws/approval:
// required, or a namespace in APPROVAL_NAMESPACES) is observed and diffed as usual, but its writes are
// first recorded (the dry run's port), shown in status.plan with a hash, and sent only once the
// annotation s3.services.k8s.aws/approved-plan names that hash. The hash covers every write in order with
// its full value, so a plan that changed (S3 or the spec moved) is a new plan and the old approval
// approves nothing. The approved pass runs over a guard that lets through only writes of the approved
// plan, in its order: no write is ever sent that was not approved.
import { annotationPath, ANNOTATION } from './annotations.js';
import { clean } from '../model/canonical.js';
import { clipped, listed } from '../outcome/echo.js';
import { COLLECTION_OPERATIONS, CONFIG_OPERATIONS, EMPTYING_OPERATIONS } from '../../s3/operations.js';
import { S3Error, type S3Port, type S3PortFactory } from '../../s3/port.js';
import type { BucketPlan, BucketResource, PlanStep } from '../model/resource.js';
import { sha256Hex } from './quick.js';
import type { Verdict } from '../outcome/verdict.js';

/** A write as the dry run's port records it (src/s3/dry-run-port.ts, PlannedWrite). */
export interface PlannedCall {
  operation: string;
  bucket: string;
  input: unknown;
}

export type ApprovalMode = { kind: 'off' } | { kind: 'required' } | { kind: 'invalid'; message: string };

export const APPROVAL_REQUIRED = 'required';

/** Whether this Bucket's writes wait for approval: its annotation, or the admin's namespace list. */
export function approvalMode(resource: BucketResource, namespaces: 'all' | readonly string[] | undefined): ApprovalMode {
  const value = resource.metadata.annotations?.[ANNOTATION.approval];
  if (value !== undefined && value.trim() !== APPROVAL_REQUIRED) {
    // A typo must not turn approval off: nothing is written until the value is fixed.
    return {
      kind: 'invalid',
      message: `${annotationPath(ANNOTATION.approval)} is ${JSON.stringify(clipped(value))}; the only value is "${APPROVAL_REQUIRED}" (remove the annotation to write without approval, where the cluster allows it). Nothing was sent to S3.`,
    };
  }
  const namespace = resource.metadata.namespace ?? '';
  const listedNamespace = namespaces === 'all' || (namespaces ?? []).includes(namespace);
  return value !== undefined || listedNamespace ? { kind: 'required' } : { kind: 'off' };
}

const EMPTYING = new Set<string>([EMPTYING_OPERATIONS.deleteVersions, EMPTYING_OPERATIONS.abortUpload]);
/** Emptying a bucket is one step of a plan: the approval is for emptying it, whatever it holds when the finalize runs. */
const EMPTY_BUCKET = 'EmptyBucket';

/** The spec path each write operation belongs to. */
const FIELD_OF: ReadonlyMap<string, string> = new Map([
  ['CreateBucket', 'spec.name'],
  ['DeleteBucket', 'spec.name'],
  ['PutBucketTagging', 'spec.tagging'],
  ['DeleteBucketTagging', 'spec.tagging'],
  [EMPTY_BUCKET, annotationPath(ANNOTATION.emptyOnDelete)],
  ...Object.entries(CONFIG_OPERATIONS).flatMap(([name, ops]) =>
    [ops.write, ...('remove' in ops && ops.remove ? [ops.remove] : [])].map((op): [string, string] => [
      op,
      name === 'objectLock' ? 'spec.objectLockConfiguration' : `spec.${name}`,
    ]),
  ),
  ...Object.entries(COLLECTION_OPERATIONS).flatMap(([name, ops]) => [ops.write, ops.remove].map((op): [string, string] => [op, `spec.${name}`])),
]);

const SUMMARY_MAX = 160;

function summaryOf(call: PlannedCall): string {
  const input = (call.input ?? {}) as Record<string, unknown>;
  switch (call.operation) {
    case 'CreateBucket': {
      const where = typeof input.locationConstraint === 'string' ? ` in ${input.locationConstraint}` : '';
      const tags = Array.isArray(input.tags) ? `, with ${input.tags.length} tags` : '';
      return `create bucket "${call.bucket}"${where}${tags}`;
    }
    case 'DeleteBucket':
      return `delete bucket "${call.bucket}"`;
    case EMPTY_BUCKET:
      return `delete every object version, delete marker and unfinished upload in bucket "${call.bucket}" (empty-on-delete)`;
    case 'PutBucketTagging': {
      const tags = Array.isArray(input.tags) ? (input.tags as Array<{ key: string; value: string }>).map((t) => `${t.key}=${t.value}`) : [];
      return clipped(`set the tags to ${listed(tags, 8)}`, SUMMARY_MAX);
    }
    default:
      if (/^Delete/.test(call.operation)) return `remove it (${call.operation})`;
      return clipped(`set it to ${JSON.stringify(clean(call.input) ?? {})}`, SUMMARY_MAX);
  }
}

/** What identifies a write in a plan: the call, the bucket and the full value (emptying: the call and the bucket). */
export function writeKey(call: PlannedCall): string {
  if (EMPTYING.has(call.operation)) return JSON.stringify([EMPTY_BUCKET, call.bucket]);
  return JSON.stringify([call.operation, call.bucket, clean(call.input) ?? null]);
}

export interface Plan {
  /** As status.plan shows it. */
  shown: BucketPlan;
  /** The approved writes, in order, as writeKey names them: what the guard lets through. */
  keys: string[];
}

/**
 * The plan of the writes a pass would make, in order. `after`: the hash of the last plan carried out
 * (status.appliedPlan), so that the same writes needed again later (the same drift twice) make a new
 * plan and an approval is used once.
 */
export function planOf(calls: readonly PlannedCall[], context: { uid: string; after: string | undefined }): Plan {
  const keys: string[] = [];
  const writes: PlanStep[] = [];
  for (const call of calls) {
    const key = writeKey(call);
    // The emptying calls of one bucket are one step, however many pages it takes.
    if (keys.at(-1) === key) continue;
    keys.push(key);
    const operation = EMPTYING.has(call.operation) ? EMPTY_BUCKET : call.operation;
    const step = { ...call, operation };
    writes.push({ call: operation, field: FIELD_OF.get(operation) ?? 'spec', summary: summaryOf(step) });
  }
  const hash = sha256Hex(JSON.stringify({ uid: context.uid, after: context.after ?? null, keys })).slice(0, 16);
  return { shown: { hash, writes }, keys };
}

/** The approved-plan annotation's value, trimmed; undefined when absent. */
export function approvalOf(resource: BucketResource): string | undefined {
  return resource.metadata.annotations?.[ANNOTATION.approvedPlan]?.trim();
}

export interface Guard {
  factory: S3PortFactory;
  /** The writes refused: not in the approved plan (S3 or the spec changed since it was made). */
  refused: string[];
}

/**
 * Ports that send only the approved plan's writes, in its order: each write must be one of the plan's
 * at or after the last one sent (a write the plan holds may be skipped: S3 may already be as planned).
 * Any other write is refused with an S3Error and not sent. Reads go through.
 */
export function approvedOnly(inner: S3PortFactory, keys: readonly string[]): Guard {
  const refused: string[] = [];
  let next = 0;
  const check = async <T>(operation: string, bucket: string, input: unknown, send: () => Promise<T>): Promise<T> => {
    const key = writeKey({ operation, bucket, input });
    const at = keys.indexOf(key, next);
    if (at < 0) {
      refused.push(operation);
      throw new S3Error(operation, 'NotInApprovedPlan', 'invalid', undefined);
    }
    // Emptying is one step of many calls: it stays current until a later step is sent.
    next = (JSON.parse(key) as unknown[])[0] === EMPTY_BUCKET ? at : at + 1;
    return send();
  };
  // Every method named (no spread): a port may be a class instance, whose methods a spread would drop.
  const wrap = (real: S3Port): S3Port => ({
    headBucket: (bucket, signal) => real.headBucket(bucket, signal),
    createTagging: () => real.createTagging(),
    learnCreateTagging: (honoured) => real.learnCreateTagging(honoured),
    bucketCreationDate: (bucket, signal) => real.bucketCreationDate(bucket, signal),
    getBucketTags: (bucket, signal) => real.getBucketTags(bucket, signal),
    getConfig: (name, bucket, signal) => real.getConfig(name, bucket, signal),
    listCollection: (name, bucket, signal) => real.listCollection(name, bucket, signal),
    listObjectVersions: (bucket, from, signal) => real.listObjectVersions(bucket, from, signal),
    listMultipartUploads: (bucket, from, signal) => real.listMultipartUploads(bucket, from, signal),
    createBucket: (input, signal) => {
      const { bucket, ...rest } = input;
      return check('CreateBucket', bucket, rest, () => real.createBucket(input, signal));
    },
    deleteBucket: (bucket, signal) => check('DeleteBucket', bucket, {}, () => real.deleteBucket(bucket, signal)),
    putBucketTags: (bucket, tags, signal) => check('PutBucketTagging', bucket, { tags }, () => real.putBucketTags(bucket, tags, signal)),
    deleteBucketTags: (bucket, signal) => check('DeleteBucketTagging', bucket, {}, () => real.deleteBucketTags(bucket, signal)),
    putConfig: (name, bucket, value, signal) => check(CONFIG_OPERATIONS[name].write, bucket, value, () => real.putConfig(name, bucket, value, signal)),
    deleteConfig: (name, bucket, signal) => check(CONFIG_OPERATIONS[name].remove, bucket, {}, () => real.deleteConfig(name, bucket, signal)),
    putCollectionItem: (name, bucket, item, signal) =>
      check(COLLECTION_OPERATIONS[name].write, bucket, item, () => real.putCollectionItem(name, bucket, item, signal)),
    deleteCollectionItem: (name, bucket, id, signal) =>
      check(COLLECTION_OPERATIONS[name].remove, bucket, { id }, () => real.deleteCollectionItem(name, bucket, id, signal)),
    deleteObjectVersions: (bucket, versions, signal) =>
      check(EMPTYING_OPERATIONS.deleteVersions, bucket, { versions }, () => real.deleteObjectVersions(bucket, versions, signal)),
    abortMultipartUpload: (bucket, upload, signal) =>
      check(EMPTYING_OPERATIONS.abortUpload, bucket, upload, () => real.abortMultipartUpload(bucket, upload, signal)),
  });
  return { factory: (region, session) => wrap(inner(region, session)), refused };
}

/**
 * Waiting for a person (Argo CD Progressing, kstatus InProgress): the spec is not in effect yet, so
 * whatever waits for the Bucket's health waits for the approval, and nothing reads it as a failure.
 * Checked again at the drift interval, so the plan follows S3.
 */
export function planPendingVerdict(resource: BucketResource, plan: BucketPlan, notice?: string): Verdict {
  const name = resource.metadata.name;
  const approval = approvalOf(resource);
  const why =
    resource.metadata.annotations?.[ANNOTATION.approval] !== undefined
      ? `annotation ${ANNOTATION.approval}: ${APPROVAL_REQUIRED}`
      : `namespace ${resource.metadata.namespace ?? ''} is listed in APPROVAL_NAMESPACES`;
  const stale =
    approval && approval !== plan.hash
      ? ` The annotation ${ANNOTATION.approvedPlan}=${clipped(approval, 40)} does not name this plan (S3 or the spec changed since it was approved, or it names another plan): it approves nothing.`
      : '';
  const writes = listed(
    plan.writes.map((w) => `${w.call} (${w.field})`),
    6,
  );
  const message =
    `${notice ? `${notice} ` : ''}${plan.writes.length} S3 write${plan.writes.length === 1 ? '' : 's'} wait${plan.writes.length === 1 ? 's' : ''} for approval (${why}): ${writes}. Nothing was written.${stale} ` +
    `Read the plan: kubectl get bucket ${name} -o jsonpath='{.status.plan}'; approve exactly it: kubectl annotate --overwrite bucket ${name} ${ANNOTATION.approvedPlan}=${plan.hash}`;
  return { ready: { status: 'False', reason: 'PlanPending', message }, synced: { status: 'False', reason: 'PlanPending', message }, resync: 'drift' };
}

export function invalidApprovalVerdict(message: string): Verdict {
  return {
    ready: { status: 'False', reason: 'InvalidSpec', message },
    synced: { status: 'False', reason: 'InvalidSpec', message },
    terminal: { reason: 'InvalidSpec', message },
    resync: 'none',
  };
}
