// The finalize hook: delete the bucket when the resource goes away, but only a bucket whose tags say
// it is ours, only when the deletion policy says delete, and never its objects unless the Bucket opts in
// (empty-on-delete) and either created the bucket or the admin allows emptying adopted ones. With retain, a bucket
// whose tags say it is ours is released (the hook's ownership tags removed, nothing else) so that another
// Bucket may adopt it. Everything else lets the resource go (finalized) and leaves S3 untouched.
import { isS3Error } from '../../s3/port.js';
import { ANNOTATION } from '../rules/annotations.js';
import type { ReconcilerDeps } from '../model/deps.js';
import { resolveTarget } from '../rules/desired.js';
import { emptyingNotAllowed, emptyOnDeleteOf, emptyThenDelete } from './emptying.js';
import { failureClass } from '../outcome/failure.js';
import { callFailureVerdict } from '../outcome/messages.js';
import { pausedFinalize } from '../rules/pause.js';
import { isOwnershipTag, originOf, ownershipOf } from '../rules/ownership.js';
import { roleRefusal } from '../rules/roles.js';
import { mayEmptyAdopted, OPEN_TENANCY } from '../rules/tenancy.js';
import type { EmptyingProgress, HookResponse } from '../model/resource.js';
import { presenceWithTags } from '../steps/observe.js';
import { heldClaim, reportedBefore } from '../rules/claim.js';
import { status, type Answer, type HookCall, type Subject } from '../steps/status.js';
import type { Target } from '../model/types.js';
import { recoverable, settled, terminal, type Verdict } from '../outcome/verdict.js';

interface Step {
  verdict: Verdict;
  finalized: boolean;
  /** Emptying's progress (empty-on-delete), reported in status.emptying. */
  emptying?: EmptyingProgress;
}

/** `emptying`: set when the bucket is to be emptied first (empty-on-delete), with the progress reported so far. */
async function deleteIfOurs(target: Target, deps: ReconcilerDeps, claimed: boolean, signal?: AbortSignal, emptying?: EmptyingProgress): Promise<Step> {
  const bucket = target.bucketName;
  const port = deps.s3(target.region);
  const presence = await presenceWithTags(port, bucket, claimed, signal);
  if (presence.kind === 'absent')
    return { verdict: settled('Deleted', `Bucket "${bucket}" does not exist in ${target.region}; nothing to delete.`), finalized: true };
  if (presence.kind !== 'present') {
    return {
      verdict: settled('LeftInPlace', `Bucket "${bucket}" is not reachable as ours in ${target.region} (HeadBucket: ${presence.kind}); it was left untouched.`),
      finalized: true,
    };
  }
  // Only the tags count here: a request body cannot make a foreign bucket ours.
  const tags = presence.tags;
  const ownership = ownershipOf(tags, target.ref);
  if (ownership !== 'ours') {
    const who = ownership === 'unmarked' ? 'it carries no ownership tags' : 'its tags name another Bucket resource';
    deps.log.info({ ownership }, 'not our bucket: left in place');
    return { verdict: settled('LeftInPlace', `Bucket "${bucket}" was left untouched: it was not created by this resource (${who}).`), finalized: true };
  }
  // Emptying deletes objects: of a bucket this resource created, or, when the admin allows it for the
  // namespace, of one it adopted (or marked before the origin tag existed). Refused, the bucket is still
  // deleted when it is empty: nothing is lost then.
  const origin = originOf(tags);
  if (emptying && (origin === 'created' || mayEmptyAdopted(target.ref.namespace, deps.tenancy ?? OPEN_TENANCY)))
    return emptyThenDelete(port, target, emptying, deps, signal);
  try {
    await port.deleteBucket(bucket, signal);
  } catch (err) {
    if (!isS3Error(err)) throw err;
    if (err.kind === 'not-found') return { verdict: settled('Deleted', `Bucket "${bucket}" was deleted.`), finalized: true };
    if (err.kind === 'not-empty' && emptying) {
      deps.log.warn({ origin: origin ?? 'unknown' }, 'empty-on-delete refused for a bucket this resource did not create: deletion waits');
      return { verdict: emptyingNotAllowed(bucket, target.ref.namespace, origin), finalized: false };
    }
    if (err.kind === 'not-empty') {
      const message = `Bucket "${bucket}" still holds objects, so it was not deleted (DeleteBucket answered BucketNotEmpty). The hook deletes no object unless the Bucket opts in: empty the bucket yourself (all object versions) and it is deleted at the next retry, annotate the Bucket ${ANNOTATION.emptyOnDelete}=true to let the hook delete every object and then the bucket, or set the annotation ${ANNOTATION.deletionPolicy}: retain to keep it and let the resource go.`;
      deps.log.warn({}, 'bucket not empty: deletion waits');
      return { verdict: recoverable('BucketNotEmpty', message, { status: 'False', reason: 'Deleting', message }), finalized: false };
    }
    throw err;
  }
  deps.log.info({ region: target.region }, 'bucket deleted');
  return { verdict: settled('Deleted', `Bucket "${bucket}" was deleted.`), finalized: true };
}

/** Retain: keep the bucket, and release it if it is ours, so that it can be adopted later. */
async function releaseIfOurs(target: Target, deps: ReconcilerDeps, claimed: boolean, signal?: AbortSignal): Promise<Step> {
  const bucket = target.bucketName;
  const kept = `Bucket "${bucket}" was kept (deletion policy retain)`;
  const port = deps.s3(target.region);
  const presence = await presenceWithTags(port, bucket, claimed, signal);
  if (presence.kind !== 'present')
    return {
      verdict: settled('Retained', `${kept}; it is not reachable as ours in ${target.region} (HeadBucket: ${presence.kind}), so it was left untouched.`),
      finalized: true,
    };
  const tags = presence.tags;
  if (ownershipOf(tags, target.ref) !== 'ours')
    return { verdict: settled('Retained', `${kept}; its tags do not name this resource, so they were left as they are.`), finalized: true };
  const rest = Object.entries(tags).filter(([key]) => !isOwnershipTag(key));
  try {
    // Only the hook's own tags go; a tag set left empty is deleted (it was just read as set).
    if (rest.length > 0)
      await port.putBucketTags(
        bucket,
        rest.map(([key, value]) => ({ key, value })),
        signal,
      );
    else await port.deleteBucketTags(bucket, signal);
  } catch (err) {
    // A transient failure retries, and a vanished bucket is gone (the handler below); a refusal (access
    // denied included) must not hold the resource forever.
    if (!isS3Error(err) || failureClass(err).transient || err.kind === 'not-found') throw err;
    deps.log.warn({ operation: err.operation, code: err.code }, 'retained bucket could not be released');
    return {
      verdict: settled(
        'Retained',
        `${kept}, but its ownership tags could not be removed (${err.operation} answered ${err.code}): remove the services.k8s.aws/namespace, name and uid tags by hand before another Bucket resource adopts it.`,
      ),
      finalized: true,
    };
  }
  deps.log.info({}, 'deletion policy retain: bucket kept and released');
  return {
    verdict: settled('Retained', `${kept} and released: the hook's ownership tags were removed, so another Bucket resource can adopt it.`),
    finalized: true,
  };
}

export async function finalize(call: HookCall, deps: ReconcilerDeps, signal?: AbortSignal): Promise<HookResponse> {
  return status(call, deps, await pass(call, deps, signal));
}

async function pass(call: HookCall, deps: ReconcilerDeps, signal?: AbortSignal): Promise<Answer> {
  const resource = call.parent;
  // Paused: no S3 call, nothing deleted; the deletion waits for the annotation to go (pause.ts).
  const paused = pausedFinalize(resource);
  if (paused) return { verdict: paused, kept: 'paused', finalized: false };
  const resolved = resolveTarget(resource, deps.defaults);
  if (!resolved.ok) {
    const { path, message } = resolved.problem;
    if (path.includes(ANNOTATION.deletionPolicy)) {
      // Guessing could delete data the user meant to keep: wait for a valid policy instead.
      return {
        verdict: terminal('InvalidDeletionPolicy', `${path} ${message}. The bucket is kept and the resource waits until the annotation is fixed.`),
        subject: undefined,
        finalized: false,
      };
    }
    if (path.includes(ANNOTATION.region)) {
      // Not a region the hook serves (or no longer: ALLOWED_REGIONS changed): no S3 call, nothing deleted.
      return {
        verdict: settled('LeftInPlace', `${path} ${message}. The hook makes no S3 call there, so any bucket in that region was left untouched.`),
        subject: undefined,
        finalized: true,
      };
    }
    return {
      verdict: settled('Deleted', `${path} ${message}; no bucket can have been created for it, so there is nothing to delete.`),
      subject: undefined,
      finalized: true,
    };
  }
  const target = resolved.target;
  const subject: Subject = { bucket: target.bucketName, region: target.region, reported: false };
  if (target.readOnly) {
    return {
      verdict: settled('LeftInPlace', `Bucket "${target.bucketName}" was left untouched: the resource is read-only (annotation ${ANNOTATION.readOnly}).`),
      subject,
      finalized: true,
    };
  }
  // Which identity manages the bucket is unknown while IAMRoleSelectors conflict: wait, delete nothing.
  const refusal = roleRefusal(deps.role);
  if (refusal) return { verdict: refusal, subject, finalized: false };
  // Opt-in emptying (empty-on-delete), with deletion policy delete only; a malformed value keeps everything.
  const emptying = target.deletionPolicy === 'delete' ? emptyOnDeleteOf(resource) : false;
  if (typeof emptying === 'string') {
    return {
      verdict: terminal('InvalidSpec', `${emptying}. The bucket and its objects are kept and the deletion waits until the annotation is fixed.`),
      subject,
      finalized: false,
    };
  }
  // The status holds this hook's claim on the name and names the bucket: its tags are read first (observe.ts).
  const claimed = heldClaim(resource.status, target, deps) !== undefined && reportedBefore(resource.status, target);
  try {
    const step =
      target.deletionPolicy === 'retain'
        ? await releaseIfOurs(target, deps, claimed, signal)
        : await deleteIfOurs(target, deps, claimed, signal, emptying ? (resource.status?.emptying ?? { objectsDeleted: 0, uploadsAborted: 0 }) : undefined);
    return { verdict: step.verdict, subject, finalized: step.finalized, emptying: step.emptying };
  } catch (err) {
    if (!isS3Error(err)) throw err;
    // NoSuchBucket on any call (GetBucketTagging after another replica's or an earlier call's delete): the
    // bucket is gone, which is all finalize wants.
    if (err.kind === 'not-found') {
      const verdict =
        target.deletionPolicy === 'retain'
          ? settled('Retained', `Bucket "${target.bucketName}" does not exist in ${target.region}; nothing to keep.`)
          : settled('Deleted', `Bucket "${target.bucketName}" does not exist in ${target.region}; nothing to delete.`);
      return { verdict, subject, finalized: true };
    }
    deps.log.warn({ operation: err.operation, code: err.code }, 'S3 refused a call during deletion');
    const { synced } = callFailureVerdict(err, target.bucketName);
    // Whatever failed, keep the finalizer and retry with backoff: giving up here could orphan a bucket.
    return { verdict: recoverable(synced.reason, synced.message), subject, finalized: false };
  }
}
