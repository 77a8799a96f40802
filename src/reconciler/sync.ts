// The sync hook: observe -> diff -> apply -> status, for one Bucket resource.
import { isS3Error, type S3Port } from '../s3/port.js';
import { ANNOTATION } from './annotations.js';
import { apply } from './apply.js';
import { noChanges, type Changes } from './changes.js';
import { adoptionRefusal, checkClaimedBucket, heldClaim, managedElsewhereVerdict, namePrefixVerdict, newClaim, olderThanClaim, reportedBefore, unconfirmedClaimVerdict, unverifiedStatusNote } from './claim.js';
import type { ReconcilerDeps } from './deps.js';
import { failureClass } from './failure.js';
import { resolveDesired } from './desired.js';
import { changedPaths, diff } from './diff.js';
import { taggingField, targetTags, withOrigin } from './fields/tagging.js';
import { driftChecked } from './ignore-drift.js';
import { blockedFields, DEFAULT_DRIFT_LOOP, driftLoopVerdict, memoryToKeep, recordCorrections, startPass, withheld } from './drift-loop.js';
import { callFailureVerdict, failureVerdict } from './messages.js';
import { observe, readFields, type Reading } from './observe.js';
import { pausedSync } from './pause.js';
import { otherCluster, ownerOf, ownershipOf, ownershipTags } from './ownership.js';
import { takeBack } from './take-back.js';
import { OPEN_TENANCY } from './tenancy.js';
import { quickAnswer } from './quick.js';
import { respond, type Subject } from './respond.js';
import { identityKey, roleRefusal } from './roles.js';
import type { BucketClaim, BucketResource, DriftCorrections, HookResponse } from './resource.js';
import type { DesiredBucket } from './types.js';
import { inSync, observedDrift, progressing, recoverable, terminal, type Verdict } from './verdict.js';

interface Outcome {
  verdict: Verdict;
  /** The bucket exists and this resource reports it (ours, adopted, or observed read-only). */
  reported: boolean;
}

/** What one pass holds besides S3's answers: the claim on the name, verified or made in this pass. */
interface Pass {
  claim: BucketClaim | undefined;
  /** The resource as received: its status holds the drift-loop memory (drift-loop.ts). */
  resource: BucketResource;
  /** The drift-loop memory to answer, once converge ran (drift-loop.ts); undefined: the received one stands. */
  corrections?: DriftCorrections | undefined;
}

export function nameTakenVerdict(bucket: string, evidence: string): Verdict {
  return terminal(
    'NameTaken',
    `Bucket name "${bucket}" is taken by another AWS account (${evidence}). S3 bucket names are global: choose another spec.name. If the bucket is in this account, allow the hook s3:ListBucket on it.`,
  );
}

function inSyncMessage(desired: DesiredBucket): string {
  const mode = desired.readOnly ? ' (read-only: the hook observes it and never writes)' : '';
  const ignored = desired.ignoredFields?.length ? `; drift of ${desired.ignoredFields.join(', ')} is ignored (annotation ${ANNOTATION.ignoreFieldDrift})` : '';
  return `Bucket "${desired.bucketName}" exists in ${desired.region} and matches its spec${mode}${ignored}.`;
}

async function converge(desired: DesiredBucket, readings: Map<string, Reading>, port: S3Port, deps: ReconcilerDeps, changes: Changes, pass: Pass, signal?: AbortSignal): Promise<Verdict> {
  const delta = diff(desired, readings);
  const paths = changedPaths(delta);
  if (desired.readOnly) {
    if (delta.unreadable.length > 0) return failureVerdict(delta.unreadable, desired.bucketName);
    if (paths.length === 0) return inSync(inSyncMessage(desired));
    const message = `S3 differs from the spec at ${paths.join(', ')}; this resource is read-only (annotation ${ANNOTATION.readOnly}), so the hook changes nothing.`;
    return observedDrift('ReadOnlyDrift', message);
  }
  // >>> drift-loop guard (drift-loop.ts): a field put back too often is withheld; corrections are remembered.
  const { resource } = pass;
  const settings = deps.driftLoop ?? DEFAULT_DRIFT_LOOP;
  const loop = startPass({ previous: resource.status?.driftCorrections, requestedAt: resource.metadata.annotations?.[ANNOTATION.requestedAt], managed: desired.managed.map((m) => m.field.path), now: deps.now(), settings });
  // Drift: the spec's generation was reconciled before, and this pass neither created nor adopted.
  const drift = resource.status?.observedGeneration === desired.ref.generation && !changes.created && !changes.adopted && changes.takenBackFrom === undefined;
  const held = withheld(loop, paths, drift);
  const allowed = held.length > 0 ? { ...delta, changes: delta.changes.filter((c) => !held.includes(c.field.path)) } : delta;
  if (held.length > 0) deps.log.warn({ fields: held }, 'drift loop: fields withheld');
  // <<< drift-loop guard
  if (allowed.changes.length > 0) deps.log.info({ fields: changedPaths(allowed) }, 'applying changes');
  const result = await apply(desired, allowed, port, signal);
  for (const path of result.applied) deps.log.info({ field: path }, 'change applied');
  changes.applied.push(...result.applied);
  pass.corrections = memoryToKeep(recordCorrections(loop, drift ? result.applied : []));
  const failures = [...delta.unreadable, ...result.failed];
  for (const f of failures) deps.log.warn({ field: f.path, operation: f.error.operation, code: f.error.code }, 'S3 refused a call');
  if (failures.length > 0) return failureVerdict(failures, desired.bucketName);
  const blocked = blockedFields(pass.corrections);
  return blocked.length > 0 ? driftLoopVerdict(blocked, desired.bucketName, settings) : inSync(inSyncMessage(desired));
}

/**
 * Before creating on a store that drops the tags sent with CreateBucket (Ceph RGW), a claim on the name
 * is recorded in the status first (signed by the hook: claim-proof.ts) and the create happens at the next
 * sync. A crash at any instant after that (SIGKILL between the create and the PutBucketTagging, before
 * the answer) leaves an unmarked bucket that the next sync recognises as this resource's by that claim
 * and the bucket's age (claim.ts). Costs one more sync (and its HeadBucket); where tags land with the
 * create (AWS) nothing changes.
 */
function reservation(desired: DesiredBucket, deps: ReconcilerDeps, pass: Pass): Outcome {
  pass.claim = newClaim(desired, deps);
  const message = `Bucket "${desired.bucketName}" is being created in ${desired.region}. This S3 endpoint does not keep the tags sent with CreateBucket, so the hook's claim on the name is recorded in this status first and the bucket is created at the next sync; an interruption in between cannot orphan it.`;
  return { verdict: progressing('Creating', message), reported: true };
}

async function create(desired: DesiredBucket, port: S3Port, deps: ReconcilerDeps, changes: Changes, pass: Pass, signal?: AbortSignal): Promise<Outcome> {
  const { bucketName: bucket, region } = desired;
  if (desired.readOnly) {
    return { verdict: recoverable('NotFound', `Bucket "${bucket}" does not exist in ${region}; this resource is read-only (annotation ${ANNOTATION.readOnly}), so the hook will not create it. Create the bucket, or remove the annotation.`), reported: false };
  }
  if (desired.adoptionPolicy === 'adopt') {
    return { verdict: recoverable('AdoptionTargetNotFound', `No bucket "${bucket}" exists in ${region} to adopt (annotation ${ANNOTATION.adoptionPolicy}: adopt). Create it, or set the annotation to adopt-or-create to let the hook create it.`), reported: false };
  }
  const prefix = namePrefixVerdict(desired, deps);
  if (prefix) return { verdict: prefix, reported: false };
  // Without a claim of its own in the status (a first sync, or one signed with another key), a store that
  // may drop the create's tags gets the reservation first.
  if (port.createTagging() !== 'honoured' && !pass.claim) {
    deps.log.info({ region }, 'bucket name claimed in the status; created at the next sync');
    return reservation(desired, deps, pass);
  }
  // Where the tags go with the create (AWS) the claim is made here: it is answered with the bucket, so a
  // bucket whose tags are later removed out of band is still recognised as the one this resource created.
  pass.claim ??= newClaim(desired, deps);
  const created = withOrigin(desired, 'created');
  const tags = targetTags({ user: desired.tags ?? [], owner: ownershipTags(desired.ref), origin: 'created' }, {});
  await port.createBucket({ bucket, locationConstraint: desired.locationConstraint, tags, extras: desired.create }, signal);
  deps.log.info({ region }, 'bucket created');
  changes.created = true;
  // Read back instead of assuming: S3 fills defaults at create, and stores such as Ceph RGW ignore the
  // tags sent with CreateBucket, so the ownership marks may still need their own write. What the read
  // shows also tells whether the next create on this endpoint needs the reservation step.
  const readings = await readFields(created, port, signal);
  const read = readings.get(taggingField.path);
  if (read?.ok) port.learnCreateTagging(ownershipOf(read.value as Record<string, string>, desired.ref) === 'ours');
  return { verdict: await converge(created, readings, port, deps, changes, pass, signal), reported: true };
}

/**
 * An existing bucket without (valid) ownership tags: it becomes this resource's only as the bucket of
 * this resource's own create, by a claim this hook signed for it and a bucket no older than the claim
 * (origin "created"), or by adoption under the admin's rules (origin "adopted", the Adopted event).
 * Returns the desired state to converge to (with the origin tag to write), or the refusal.
 */
async function claimUnmarked(resource: BucketResource, desired: DesiredBucket, port: S3Port, deps: ReconcilerDeps, changes: Changes, pass: Pass, signal?: AbortSignal): Promise<DesiredBucket | Outcome> {
  let why: string | undefined;
  if (pass.claim) {
    const check = await checkClaimedBucket(pass.claim, port, signal);
    if (check.kind === 'unlisted') return { verdict: unconfirmedClaimVerdict(pass.claim), reported: true };
    if (check.kind === 'confirmed') {
      const prefix = namePrefixVerdict(desired, deps);
      if (prefix) return { verdict: prefix, reported: false };
      deps.log.info({ claimed: pass.claim.time }, 'ownership tags missing on the bucket this resource created: tagging it');
      return withOrigin(desired, 'created');
    }
    why = olderThanClaim(pass.claim, check.created);
    deps.log.warn({ claimed: pass.claim.time, created: check.created.toISOString() }, 'unmarked bucket older than the claim on its name: not ours');
    pass.claim = undefined;
  } else {
    why = unverifiedStatusNote(resource.status, desired);
  }
  const refusal = adoptionRefusal(desired, deps, why);
  if (refusal) return { verdict: refusal, reported: false };
  deps.log.info({}, 'adopting existing bucket');
  changes.adopted = true;
  return withOrigin(desired, 'adopted');
}

async function reconcile(resource: BucketResource, full: DesiredBucket, port: S3Port, deps: ReconcilerDeps, changes: Changes, pass: Pass, signal?: AbortSignal): Promise<Outcome> {
  const bucket = full.bucketName;
  // An existing bucket: the fields whose drift is ignored are neither read nor written (ignore-drift.ts).
  let desired = driftChecked(full);
  const observation = await observe(desired, port, signal);
  const presence = observation.presence;
  if (presence.kind === 'forbidden') return { verdict: nameTakenVerdict(bucket, 'HeadBucket answered 403 Forbidden'), reported: false };
  if (presence.kind === 'elsewhere') {
    const where = presence.region ? `region ${presence.region}` : 'another region';
    return { verdict: terminal('WrongRegion', `Bucket "${bucket}" exists in ${where}, not in ${desired.region} (HeadBucket answered 301). Set the annotation ${ANNOTATION.region} to the bucket's region, or choose another spec.name.`), reported: false };
  }
  // Created in this pass: every field the spec names is written, ignored ones included.
  if (presence.kind === 'absent') return create(full, port, deps, changes, pass, signal);

  const tags = observation.readings.get(taggingField.path);
  // Ownership unknown for now: keep reporting a bucket reported before (as a failed call does below), or
  // a passing 503 here would blank the ARN (and its claim) and the next sync would disown an interrupted create.
  if (tags && !tags.ok) return { verdict: failureVerdict([{ path: taggingField.path, error: tags.error }], bucket), reported: reportedBefore(resource.status, desired) };
  const owner = tags?.ok ? (tags.value as Record<string, string>) : {};
  const ownership = ownershipOf(owner, desired.ref);
  if (ownership === 'other-resource' && !desired.readOnly) {
    // >>> take back after a restore or a cluster move (take-back.ts)
    const previous = ownerOf(owner);
    const back = previous ? takeBack(previous, owner, desired.ref, resource, deps.tenancy ?? OPEN_TENANCY) : undefined;
    if (back?.kind !== 'take') return { verdict: managedElsewhereVerdict(desired, previous && otherCluster(previous, desired.ref) ? previous.cluster : undefined, back?.why), reported: false };
    deps.log.info({ from: back.from }, 'taking the bucket back: its tags name this namespace and name under another uid');
    changes.takenBackFrom = back.from;
    desired = withOrigin(desired, back.origin);
    // <<< take back
  }
  if (ownership === 'unmarked' && !desired.readOnly) {
    const claimed = await claimUnmarked(resource, desired, port, deps, changes, pass, signal);
    if ('verdict' in claimed) return claimed;
    desired = claimed;
  }
  // A read-only resource observes a bucket without owning it: it reports no ARN, so that dropping the
  // read-only annotation later can never make the hook take over a bucket nobody adopted.
  return { verdict: await converge(desired, observation.readings, port, deps, changes, pass, signal), reported: !desired.readOnly };
}

/**
 * The zero-cost answer (quick.ts): the status received, when nothing changed since a recent full check
 * that found the bucket in sync; undefined when a full check is due. Needs no logger and no S3.
 */
export function answerFromStatus(resource: BucketResource, deps: Pick<ReconcilerDeps, 'now' | 'defaults' | 'resync' | 'role'>): HookResponse | undefined {
  return quickAnswer(resource, deps.now(), { region: deps.defaults.region, driftCheckSeconds: deps.resync.driftCheckSeconds, identity: identityKey(deps.role) });
}

/** The sync hook: the zero-cost answer when it holds, else a full check. */
export async function sync(resource: BucketResource, deps: ReconcilerDeps, signal?: AbortSignal): Promise<HookResponse> {
  const quick = answerFromStatus(resource, deps);
  if (quick) {
    deps.log.debug({ resyncAfterSeconds: quick.resyncAfterSeconds }, 'inputs unchanged since a recent full check: answered without S3');
    return quick;
  }
  return fullSync(resource, deps, signal);
}

/**
 * A full check against S3 (the caller has already found that the zero-cost answer does not hold).
 * `changes` is filled as the pass goes (created, adopted, the fields written), for the events (events.ts).
 */
export async function fullSync(resource: BucketResource, deps: ReconcilerDeps, signal?: AbortSignal, changes: Changes = noChanges()): Promise<HookResponse> {
  // Paused (annotation s3.services.k8s.aws/paused): no S3 call at all, the status kept (pause.ts).
  const paused = pausedSync(resource, deps);
  if (paused) return paused;
  const resolved = resolveDesired(resource, deps.defaults);
  if (!resolved.ok) {
    const { path, message } = resolved.problem;
    return respond(resource, deps, terminal('InvalidSpec', `${path} ${message}. Fix the Bucket resource; nothing was sent to S3.`), undefined);
  }
  const desired = resolved.desired;
  // A claim in the status counts only when this hook signed it for this resource and bucket (claim.ts).
  const pass: Pass = { claim: heldClaim(resource.status, desired, deps), resource };
  const subject = (reported: boolean): Subject => ({ bucket: desired.bucketName, region: desired.region, reported, claim: pass.claim });
  if (resource.metadata.deletionTimestamp) {
    // Being deleted but handed to sync (no finalize hook configured): never create or change anything.
    deps.log.info({}, 'resource is being deleted; sync leaves S3 alone');
    return { status: { ...resource.status, observedGeneration: desired.ref.generation }, children: [] };
  }
  // No identity to reconcile with (two IAMRoleSelectors match, or one names no role): nothing goes to S3.
  const refusal = roleRefusal(deps.role);
  if (refusal) return respond(resource, deps, refusal, subject(reportedBefore(resource.status, desired)));
  try {
    const outcome = await reconcile(resource, desired, deps.s3(desired.region), deps, changes, pass, signal);
    const response = respond(resource, deps, outcome.verdict, subject(outcome.reported));
    // The drift-loop memory this pass made, over the one received (drift-loop.ts).
    if ('corrections' in pass) {
      if (pass.corrections) response.status.driftCorrections = pass.corrections;
      else delete response.status.driftCorrections;
    }
    return response;
  } catch (err) {
    if (!isS3Error(err)) throw err;
    deps.log.warn({ operation: err.operation, code: err.code }, 'S3 refused a call');
    const verdict = err.kind === 'name-taken' ? nameTakenVerdict(desired.bucketName, `${err.operation} answered ${err.code}`) : callFailureVerdict(err, desired.bucketName);
    // Keep reporting a bucket we reported before, so a passing failure does not blank its ARN. A
    // CreateBucket that failed retryably may have created the bucket (a reset or a deadline after the
    // store did the work): report it too, so the next sync knows the unmarked bucket it finds is ours.
    const mayHaveCreated = err.operation === 'CreateBucket' && failureClass(err).transient;
    // A reserved name that turns out to be taken is not ours to report.
    const stillOurs = err.kind !== 'name-taken' && reportedBefore(resource.status, desired);
    return respond(resource, deps, verdict, subject(mayHaveCreated || stillOurs));
  }
}
