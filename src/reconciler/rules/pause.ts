// Pausing a Bucket (annotation s3.services.k8s.aws/paused: "true", like Crossplane's crossplane.io/paused):
// the hook makes no S3 call for it at all, sync or finalize, and answers the status it had with
// ACK.ResourceSynced False/Paused saying so. Ready stays as it was (the bucket is what the last check
// found), so Argo CD keeps showing Healthy for a healthy bucket and kstatus does not wait on it; a terminal
// condition stays too (the user still has to fix it), but ACK.Recoverable goes: no retry is under way.
// A paused Bucket being deleted waits (finalized: false) and deletes nothing. Removing the annotation
// changes the input hash (quick.ts), so the next sync is a full check.
import { ANNOTATION, booleanAnnotation } from './annotations.js';
import { CONDITION, type BucketResource } from '../model/resource.js';
import { terminal, type ConditionContent, type Verdict } from '../outcome/verdict.js';

const KUBECTL_RESUME = `kubectl annotate bucket NAME ${ANNOTATION.paused}-`;

/** true, false, or the problem with the annotation's value. */
export function pausedOf(resource: BucketResource): boolean | string {
  const value = booleanAnnotation(resource.metadata.annotations, ANNOTATION.paused);
  return typeof value === 'boolean' ? value : `${value.path} ${value.message}`;
}

function content(resource: BucketResource, type: string): ConditionContent | undefined {
  const c = resource.status?.conditions?.find((x) => x.type === type && x.status !== 'Unknown');
  return c ? { status: c.status, reason: c.reason, message: c.message } : undefined;
}

/**
 * The sync verdict of a paused Bucket (no S3 call; answered with what the status reported, status.ts),
 * or undefined when it is not paused. An annotation value other than true/false is InvalidSpec, still
 * without any S3 call.
 */
export function pausedSync(resource: BucketResource): Verdict | undefined {
  const paused = pausedOf(resource);
  if (paused === false) return undefined;
  if (paused !== true) return terminal('InvalidSpec', `${paused}. Fix the Bucket resource; nothing was sent to S3.`);
  const message = `Reconciliation is paused (annotation ${ANNOTATION.paused}: "true"): the hook makes no S3 call for this Bucket, writes nothing and leaves the other conditions as the last check found them. To resume, remove the annotation (${KUBECTL_RESUME}); the next sync checks S3 in full.`;
  const synced: ConditionContent = { status: 'False', reason: 'Paused', message };
  const before = content(resource, CONDITION.terminal);
  const verdict: Verdict = {
    ready: content(resource, CONDITION.ready) ?? synced,
    synced,
    ...(before?.status === 'True' ? { terminal: { reason: before.reason, message: before.message } } : {}),
    resync: 'none',
  };
  return verdict;
}

/** The finalize verdict of a paused Bucket: it waits (finalized: false), deleting nothing; undefined when it is not paused. */
export function pausedFinalize(resource: BucketResource): Verdict | undefined {
  const paused = pausedOf(resource);
  if (paused === false) return undefined;
  // Guessing could delete a bucket its owner meant to hold: a malformed value waits too.
  if (paused !== true) return terminal('InvalidSpec', `${paused}. The bucket is kept and the deletion waits until the annotation is fixed.`);
  const message = `Deletion waits: this Bucket is paused (annotation ${ANNOTATION.paused}: "true"), so the hook makes no S3 call and deletes nothing. Remove the annotation (${KUBECTL_RESUME}) to let the deletion go ahead under the Bucket's deletion policy (annotation ${ANNOTATION.deletionPolicy}).`;
  const waiting: ConditionContent = { status: 'False', reason: 'Paused', message };
  return { ready: waiting, synced: waiting, resync: 'none' };
}
