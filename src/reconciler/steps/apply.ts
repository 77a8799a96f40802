// Apply: the writes. A create first when the claim step asks for one, then one idempotent write per
// differing field (diff.ts), in FIELDS order. A failing write does not stop the others: every field
// gets its chance and every failure is reported. After its own CreateBucket the hook does not read back
// what it knows (what it sent, S3's defaults of a new bucket): only the fields whose answer it cannot
// know are read (types.ts, Field.created).
import { isS3Error, type S3Port } from '../../s3/port.js';
import { ANNOTATION } from '../rules/annotations.js';
import type { Changes } from '../model/changes.js';
import type { Plan } from './claim.js';
import type { ReconcilerDeps } from '../model/deps.js';
import { changedPaths, diff, type FieldFailure } from './diff.js';
import { taggingField, targetTags, type DesiredTags } from '../fields/tagging.js';
import { failureVerdict } from '../outcome/messages.js';
import { readFields, type Reading } from '../fields/read.js';
import { ownershipOf } from '../rules/ownership.js';
import { blockedFields, DEFAULT_DRIFT_LOOP, driftLoopVerdict, memoryToKeep, recordCorrections, startPass, withheld } from '../rules/drift-loop.js';
import type { BucketResource, DriftCorrections } from '../model/resource.js';
import type { DesiredBucket } from '../model/types.js';
import { inSync, observedDrift, type Verdict } from '../outcome/verdict.js';

export interface Applied {
  verdict: Verdict;
  /** The bucket exists and this resource reports it (ours, adopted, or observed read-only). */
  reported: boolean;
  /** The drift-loop memory to answer (drift-loop.ts); null: none; undefined: the received one stands. */
  corrections?: DriftCorrections | null | undefined;
}

export async function apply(
  resource: BucketResource,
  plan: Exclude<Plan, { kind: 'answer' }>,
  port: S3Port,
  deps: ReconcilerDeps,
  changes: Changes,
  signal?: AbortSignal,
): Promise<Applied> {
  const { desired } = plan;
  let readings: Map<string, Reading>;
  if (plan.kind === 'create') {
    readings = await create(desired, port, deps, changes, signal);
  } else {
    readings = plan.readings;
    if (plan.adopted) changes.adopted = true;
    if (plan.takenBackFrom !== undefined) changes.takenBackFrom = plan.takenBackFrom;
  }
  const delta = diff(desired, readings);
  const paths = changedPaths(delta);
  // A read-only resource observes a bucket without owning it: it reports no ARN (claim.ts).
  if (desired.readOnly) {
    if (delta.unreadable.length > 0) return { verdict: failureVerdict(delta.unreadable, desired.bucketName), reported: false };
    if (paths.length === 0) return { verdict: inSync(inSyncMessage(desired)), reported: false };
    const message = `S3 differs from the spec at ${paths.join(', ')}; this resource is read-only (annotation ${ANNOTATION.readOnly}), so the hook changes nothing.`;
    return { verdict: observedDrift('ReadOnlyDrift', message), reported: false };
  }
  // The drift-loop guard (drift-loop.ts): a field put back too often is withheld; corrections are remembered.
  const settings = deps.driftLoop ?? DEFAULT_DRIFT_LOOP;
  const loop = startPass({
    previous: resource.status?.driftCorrections,
    requestedAt: resource.metadata.annotations?.[ANNOTATION.requestedAt],
    managed: desired.managed.map((m) => m.field.path),
    now: deps.now(),
    settings,
  });
  // Drift: the spec's generation was reconciled before, and this pass neither created nor adopted.
  const drift = plan.kind === 'converge' && !plan.adopted && plan.takenBackFrom === undefined && resource.status?.observedGeneration === desired.ref.generation;
  const held = withheld(loop, paths, drift);
  if (held.length > 0) deps.log.warn({ fields: held }, 'drift loop: fields withheld');
  const allowed = delta.changes.filter((c) => !held.includes(c.field.path));
  if (allowed.length > 0) deps.log.info({ fields: allowed.map((c) => c.field.path) }, 'applying changes');
  const failures: FieldFailure[] = [...delta.unreadable];
  const corrected: string[] = [];
  const ctx = { port, bucket: desired.bucketName, ref: desired.ref, signal };
  for (const change of allowed) {
    try {
      await change.field.write(ctx, change.desired, change.observed);
      deps.log.info({ field: change.field.path }, 'change applied');
      changes.applied.push(change.field.path);
      corrected.push(change.field.path);
    } catch (err) {
      // The port fails with S3Errors only: anything else is a bug, and ends the sync.
      if (!isS3Error(err)) throw err;
      failures.push({ path: change.field.path, error: err });
      // A cut-short request means the deadline is spent: stop here, the next sync continues.
      if (signal?.aborted) break;
    }
  }
  for (const f of failures) deps.log.warn({ field: f.path, operation: f.error.operation, code: f.error.code }, 'S3 refused a call');
  const corrections = memoryToKeep(recordCorrections(loop, drift ? corrected : [])) ?? null;
  if (failures.length > 0) return { verdict: failureVerdict(failures, desired.bucketName), reported: true, corrections };
  const blocked = blockedFields(corrections ?? undefined);
  const verdict = blocked.length > 0 ? driftLoopVerdict(blocked, desired.bucketName, settings) : inSync(inSyncMessage(desired));
  return { verdict, reported: true, corrections };
}

/** CreateBucket, then what the new bucket holds: known where the hook knows it, read where it does not. */
async function create(desired: DesiredBucket, port: S3Port, deps: ReconcilerDeps, changes: Changes, signal?: AbortSignal): Promise<Map<string, Reading>> {
  const { bucketName: bucket, region } = desired;
  const tagging = desired.managed.find((m) => m.field === taggingField)?.value as DesiredTags;
  const tags = targetTags({ ...tagging, user: desired.tags ?? [] }, {});
  await port.createBucket({ bucket, locationConstraint: desired.locationConstraint, tags, extras: desired.create }, signal);
  deps.log.info({ region }, 'bucket created');
  changes.created = true;
  // What the endpoint did with the tags is known once learned (the create itself learns a refusal).
  const sent = port.createTagging();
  const readings = new Map<string, Reading>();
  const unknown = desired.managed.filter((m) => {
    const known = m.field.created?.(m.value, desired, sent);
    if (known) readings.set(m.field.path, { ok: true, value: known.value });
    return !known;
  });
  // Read back what the hook cannot know: S3's own defaults for some fields, and, until this endpoint is
  // learned, whether the tags sent with CreateBucket are on the bucket (Ceph RGW drops them).
  for (const [path, reading] of await readFields(unknown, port, desired, signal)) readings.set(path, reading);
  const read = readings.get(taggingField.path);
  if (read?.ok && unknown.some((m) => m.field === taggingField))
    port.learnCreateTagging(ownershipOf(read.value as Record<string, string>, desired.ref) === 'ours');
  return readings;
}

function inSyncMessage(desired: DesiredBucket): string {
  const mode = desired.readOnly ? ' (read-only: the hook observes it and never writes)' : '';
  const ignored = desired.ignoredFields?.length ? `; drift of ${desired.ignoredFields.join(', ')} is ignored (annotation ${ANNOTATION.ignoreFieldDrift})` : '';
  return `Bucket "${desired.bucketName}" exists in ${desired.region} and matches its spec${mode}${ignored}.`;
}
