// Opt-in emptying on delete (annotation s3.services.k8s.aws/empty-on-delete: "true", like Terraform's and
// Pulumi's forceDestroy): with deletion policy delete, finalize deletes the objects of a bucket this
// resource owns (its ownership tags, checked by finalize.ts first) and created (origin tag; an adopted one
// only where the admin allows it: EMPTY_ADOPTED_BUCKETS_NAMESPACES), then the bucket. Stateless and
// incremental: each finalize call lists object versions (delete markers included) a page of 1,000 at a
// time and deletes each page with one DeleteObjects, by version id, until its time budget is spent, then
// answers its progress (status.emptying, and the condition) and asks to be called again in a second;
// the next call starts over from the first key, where only what is left remains. Unfinished multipart
// uploads are aborted after the versions. Versions under Object Lock retention or a legal hold are never
// touched: DeleteObjects refuses them one by one (AccessDenied; the hook never sends
// BypassGovernanceRetention), and they are named in an ObjectsLocked condition, retried with backoff.
import { isS3Error, type ListMarker, type ObjectDeleteError, type S3Error, type S3Port } from '../../s3/port.js';
import { ANNOTATION, booleanAnnotation } from '../rules/annotations.js';
import type { ReconcilerDeps } from '../model/deps.js';
import { callFailureVerdict } from '../outcome/messages.js';
import type { BucketResource, EmptyingProgress } from '../model/resource.js';
import type { Origin } from '../rules/ownership.js';
import type { Target } from '../model/types.js';
import { progressing, recoverable, settled, terminalRechecked, type Verdict } from '../outcome/verdict.js';

/** How long one finalize call spends emptying by default: half the default request deadline (20 s). */
export const DEFAULT_EMPTY_BUDGET_MS = 10_000;
/** How many refused versions a condition names (the count says how many there are). */
const NAMED = 5;

/** The annotation: true, false, or what is wrong with its value. */
export function emptyOnDeleteOf(resource: BucketResource): boolean | string {
  const value = booleanAnnotation(resource.metadata.annotations, ANNOTATION.emptyOnDelete);
  return typeof value === 'boolean' ? value : `${value.path} ${value.message}`;
}

/**
 * empty-on-delete on a bucket this resource did not create (adopted, or marked before the origin tag
 * existed), in a namespace the admin has not allowed: the bucket and its objects are kept, re-checked
 * with backoff (someone may empty it, or the admin allow it).
 */
export function emptyingNotAllowed(bucket: string, namespace: string, origin: Origin | undefined): Verdict {
  const how =
    origin === 'adopted' ? 'this resource adopted it' : 'its ownership tags do not say that this resource created it (marked before the hook recorded that)';
  return terminalRechecked(
    'EmptyingNotAllowed',
    `Bucket "${bucket}" still holds objects and was not created by this resource (${how}), so the annotation ${ANNOTATION.emptyOnDelete} does not delete them: ` +
      `emptying a bucket a Bucket resource did not create is the cluster admin's decision (the hook's setting EMPTY_ADOPTED_BUCKETS_NAMESPACES, which does not list namespace ${namespace}). ` +
      `Nothing was deleted. Empty the bucket yourself and it is deleted at the next retry, ask the admin to add the namespace to that setting, or set the annotation ${ANNOTATION.deletionPolicy}: retain to keep the bucket and let the resource go.`,
  );
}

/** What one call got done. */
export interface EmptyPass {
  deleted: number;
  aborted: number;
  /** Versions S3 refused with AccessDenied (Object Lock, a legal hold, or a missing permission): the first few. */
  refused: ObjectDeleteError[];
  refusedCount: number;
  /** Versions refused for another reason (a passing InternalError, SlowDown): retried by the next call. */
  retry: ObjectDeleteError[];
  /** Every version and upload was listed (and dealt with) in this call. */
  complete: boolean;
  /** The listing reached its end in this call: what `retry` holds is all that is left to try. */
  listedAll: boolean;
  /** A call that failed, ending the pass. */
  failure?: S3Error;
}

interface Budget {
  /** Milliseconds since the pass began. */
  spent(): number;
  ms: number;
  signal: AbortSignal | undefined;
}

/**
 * Lists and deletes until done, failed, or out of time. Out of time means: the signal fired, or the time
 * spent plus the slowest step so far would overrun the budget (so the answer leaves margin for the one
 * step that may still be running when the request deadline fires).
 */
export async function emptyPass(port: S3Port, bucket: string, budget: Budget): Promise<EmptyPass> {
  const pass: EmptyPass = { deleted: 0, aborted: 0, refused: [], refusedCount: 0, retry: [], complete: false, listedAll: false };
  let slowest = 0;
  const outOfTime = (): boolean => budget.signal?.aborted === true || budget.spent() + slowest > budget.ms;
  const timed = async <T>(step: () => Promise<T>): Promise<T> => {
    const started = budget.spent();
    const result = await step();
    slowest = Math.max(slowest, budget.spent() - started);
    return result;
  };
  try {
    let from: ListMarker | undefined;
    for (;;) {
      const page = await timed(async () => {
        const listed = await port.listObjectVersions(bucket, from, budget.signal);
        const errors = listed.versions.length > 0 ? await port.deleteObjectVersions(bucket, listed.versions, budget.signal) : [];
        pass.deleted += listed.versions.length - errors.length;
        for (const e of errors) {
          if (e.code !== 'AccessDenied') pass.retry.push(e);
          else if (pass.refusedCount++ < NAMED) pass.refused.push(e);
        }
        return listed;
      });
      if (!page.next) break;
      if (outOfTime()) return pass;
      from = page.next;
    }
    from = undefined;
    for (;;) {
      const page = await port.listMultipartUploads(bucket, from, budget.signal);
      for (const upload of page.uploads) {
        if (outOfTime()) return pass;
        await timed(() => port.abortMultipartUpload(bucket, upload, budget.signal));
        pass.aborted++;
      }
      if (!page.next) break;
      from = page.next;
    }
    pass.listedAll = true;
    pass.complete = pass.retry.length === 0;
  } catch (err) {
    if (!isS3Error(err)) throw err;
    pass.failure = err;
  }
  return pass;
}

export interface EmptyingStep {
  verdict: Verdict;
  finalized: boolean;
  emptying: EmptyingProgress;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function progressText(p: EmptyingProgress): string {
  return `${plural(p.objectsDeleted, 'object version or delete marker', 'object versions and delete markers')} deleted and ${plural(p.uploadsAborted, 'multipart upload')} aborted so far`;
}

/** In key order (S3 reports them in any order): the same refusal words the condition the same way, so the status does not churn. */
function named(versions: ObjectDeleteError[]): string {
  const ordered = [...versions].sort((a, b) => (a.key === b.key ? (a.versionId ?? '').localeCompare(b.versionId ?? '') : a.key < b.key ? -1 : 1));
  return ordered.map((v) => `"${v.key}"${v.versionId && v.versionId !== 'null' ? ` (version ${v.versionId})` : ''}`).join(', ');
}

/**
 * One finalize call's share of emptying and deleting a bucket that is ours: a pass, then DeleteBucket
 * once a pass found nothing left. `previous` is the progress the status reported (0 at first).
 */
export async function emptyThenDelete(
  port: S3Port,
  target: Target,
  previous: EmptyingProgress | undefined,
  deps: Pick<ReconcilerDeps, 'now' | 'log' | 'emptyBudgetMs'>,
  signal?: AbortSignal,
): Promise<EmptyingStep> {
  const bucket = target.bucketName;
  const started = deps.now().getTime();
  const pass = await emptyPass(port, bucket, { spent: () => deps.now().getTime() - started, ms: deps.emptyBudgetMs ?? DEFAULT_EMPTY_BUDGET_MS, signal });
  const emptying: EmptyingProgress = {
    objectsDeleted: (previous?.objectsDeleted ?? 0) + pass.deleted,
    uploadsAborted: (previous?.uploadsAborted ?? 0) + pass.aborted,
  };
  deps.log.info(
    { deleted: pass.deleted, aborted: pass.aborted, refused: pass.refusedCount, complete: pass.complete, ...emptying },
    'emptying the bucket before its deletion',
  );
  const step = (verdict: Verdict, finalized = false): EmptyingStep => ({ verdict, finalized, emptying });
  const intro = `Emptying bucket "${bucket}" before deleting it (annotation ${ANNOTATION.emptyOnDelete}: "true"): ${progressText(emptying)}`;
  const deleted = (): EmptyingStep =>
    step(settled('Deleted', `Bucket "${bucket}" was emptied (${progressText(emptying).replace(' so far', '')}) and deleted.`), true);

  if (pass.failure) {
    const failure = pass.failure;
    if (failure.kind === 'not-found') return deleted();
    if (failure.kind === 'aborted')
      return step(progressing('Emptying', `${intro}; this call ran out of time (${failure.operation}), and the next one continues.`));
    deps.log.warn({ operation: failure.operation, code: failure.code }, 'S3 refused a call while emptying the bucket');
    const { synced } = callFailureVerdict(failure, bucket);
    return step(recoverable(synced.reason, `${intro}. ${synced.message}`, { status: 'False', reason: 'Deleting', message: `${intro}. ${synced.message}` }));
  }
  if (!pass.complete) {
    const codes = [...new Set(pass.retry.map((r) => r.code))];
    const retry = pass.retry.length > 0 ? `; S3 did not delete ${plural(pass.retry.length, 'version')} this time (${codes.join(', ')}), retried next` : '';
    // Only those refusals are left: asking again every second would hammer a store that keeps refusing
    // (SlowDown, InternalError), so the next try backs off like any failed call (5 s, doubling to 5 min).
    if (pass.listedAll) {
      const message = `${intro}${retry}, with backoff.`;
      return step(recoverable(codes.includes('SlowDown') ? 'Throttled' : 'S3Error', message, { status: 'False', reason: 'Emptying', message }));
    }
    return step(progressing('Emptying', `${intro}${retry}; the next call continues in a second.`));
  }
  if (pass.refusedCount > 0) {
    const message =
      `Bucket "${bucket}" cannot be emptied: DeleteObjects refused ${plural(pass.refusedCount, 'object version')} (AccessDenied): ${named(pass.refused)}${pass.refusedCount > pass.refused.length ? ` and ${pass.refusedCount - pass.refused.length} more` : ''}. ` +
      `They are under Object Lock retention or a legal hold, which the hook never bypasses (or its IAM policy lacks s3:DeleteObjectVersion). Everything else is gone (${progressText(emptying)}). ` +
      `The deletion is retried with backoff and completes once the retention ends or the hold is lifted; to keep the bucket instead, set the annotation ${ANNOTATION.deletionPolicy}: retain.`;
    return step(recoverable('ObjectsLocked', message, { status: 'False', reason: 'Deleting', message }));
  }
  try {
    await port.deleteBucket(bucket, signal);
  } catch (err) {
    if (!isS3Error(err)) throw err;
    if (err.kind === 'not-found') return deleted();
    // Objects written since the listing: the next call deletes them too.
    if (err.kind === 'not-empty')
      return step(
        progressing(
          'Emptying',
          `${intro}; DeleteBucket answered BucketNotEmpty (objects were written while it was emptied, or the store had not yet listed them all): the next call goes on.`,
        ),
      );
    if (err.kind === 'aborted') return step(progressing('Emptying', `${intro}; this call ran out of time (DeleteBucket), and the next one continues.`));
    const { synced } = callFailureVerdict(err, bucket);
    return step(recoverable(synced.reason, `${intro}. ${synced.message}`, { status: 'False', reason: 'Deleting', message: `${intro}. ${synced.message}` }));
  }
  deps.log.info({ region: target.region, ...emptying }, 'bucket emptied and deleted');
  return deleted();
}
