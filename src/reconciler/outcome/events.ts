// Which Kubernetes Events a reconcile records on its Bucket: one per transition, never one per sync.
// Pure: (the status received, the answer, what the pass changed in S3) -> events. A quiet resync and
// Metacontroller's echo of a status write answer the status they received and changed nothing, so they
// record nothing. Sending (and turning repeats into an event series) is src/events/'s job.
import type { Changes } from '../model/changes.js';
import { CONFIGMAP_REASON } from '../rules/coordinates.js';
import { CONDITION, type BucketStatus, type Condition, type HookResponse } from '../model/resource.js';
import { bucketOfArn } from '../model/arn.js';

export type EventType = 'Normal' | 'Warning';

/** An event to record on the Bucket (events.k8s.io/v1 terms: type, reason, action, note). */
export interface PlannedEvent {
  type: EventType;
  /** What happened, UpperCamelCase: Created, Updated, DriftCorrected, a condition's reason... */
  reason: string;
  /** What the hook did or tried: Create, Update, Adopt, Reconcile, Delete. */
  action: string;
  /** For people: the condition's message, or which fields were written. */
  note: string;
}

export interface EventInput {
  hook: 'sync' | 'finalize';
  /** The parent's status as received (undefined on the first sync, or when it failed the status schema). */
  received: BucketStatus | undefined;
  /** The parent's metadata.generation as received. */
  generation: number;
  answer: HookResponse;
  changes: Changes;
}

/** The API server refuses a longer note (1 KiB, counted in bytes). */
export const NOTE_LIMIT_BYTES = 1024;

export function clampNote(note: string): string {
  if (Buffer.byteLength(note, 'utf8') <= NOTE_LIMIT_BYTES) return note;
  let cut = note.slice(0, NOTE_LIMIT_BYTES - 3);
  while (Buffer.byteLength(`${cut}...`, 'utf8') > NOTE_LIMIT_BYTES) cut = cut.slice(0, -1);
  return `${cut}...`;
}

const find = (conditions: Condition[], type: string): Condition | undefined => conditions.find((c) => c.type === type);

/** The answered condition of this type when its status or reason differs from the received one's. */
function transition(before: Condition[], after: Condition[], type: string): Condition | undefined {
  const now = find(after, type);
  if (!now) return undefined;
  const was = find(before, type);
  return was && was.status === now.status && was.reason === now.reason ? undefined : now;
}

function bucketOf(status: BucketStatus): string {
  const name = bucketOfArn(status.ackResourceMetadata?.arn) ?? status.location?.replace(/^\//, '');
  return name ? `bucket "${name}"` : 'the bucket';
}

/** The change events: what this pass wrote to S3. */
function changeEvents(input: EventInput, bucket: string, region: string | undefined): PlannedEvent[] {
  const { changes } = input;
  const fields = changes.applied.join(', ');
  const where = region ? ` in ${region}` : '';
  if (changes.created) {
    return [{ type: 'Normal', reason: 'Created', action: 'Create', note: `Created ${bucket}${where}${fields ? `; set ${fields}` : ''}.` }];
  }
  if (changes.takenBackFrom !== undefined) {
    return [
      {
        type: 'Normal',
        reason: 'TakenBack',
        action: 'Adopt',
        note: `Took back ${bucket}${where}: its ownership tags named this namespace and name under uid ${changes.takenBackFrom} (a restore or a cluster move); now tagged with this resource's uid${fields ? `; wrote ${fields}` : ''}.`,
      },
    ];
  }
  if (changes.adopted) {
    return [
      {
        type: 'Normal',
        reason: 'Adopted',
        action: 'Adopt',
        note: `Adopted the existing ${bucket}${where}: tagged as this resource's${fields ? `; wrote ${fields}` : ''}.`,
      },
    ];
  }
  if (changes.applied.length === 0) return [];
  // A new generation is a spec the user changed; the same generation means S3 drifted from it.
  if (input.received?.observedGeneration !== input.generation) {
    return [
      { type: 'Normal', reason: 'Updated', action: 'Update', note: `Updated ${fields} of ${bucket} to match the spec (generation ${input.generation}).` },
    ];
  }
  return [
    { type: 'Normal', reason: 'DriftCorrected', action: 'Reconcile', note: `S3 differed from the spec at ${fields} of ${bucket}; the hook put the spec back.` },
  ];
}

/** The problem events: a terminal or recoverable condition (or read-only drift) that is new in this answer. */
function problemEvents(before: Condition[], after: Condition[], action: string): PlannedEvent[] {
  const events: PlannedEvent[] = [];
  for (const type of [CONDITION.terminal, CONDITION.recoverable]) {
    const c = transition(before, after, type);
    if (c?.status === 'True') events.push({ type: 'Warning', reason: c.reason, action, note: c.message });
  }
  const synced = transition(before, after, CONDITION.synced);
  if (synced?.status === 'False' && synced.reason === 'ReadOnlyDrift') events.push({ type: 'Warning', reason: synced.reason, action, note: synced.message });
  return events;
}

/** The ConfigMap events: published, or refused (a taken or invalid name); waiting is said by the bucket's own events. */
function configMapEvents(before: Condition[], after: Condition[]): PlannedEvent[] {
  const c = transition(before, after, CONDITION.configMap);
  if (c?.reason === CONFIGMAP_REASON.published) return [{ type: 'Normal', reason: 'ConfigMapPublished', action: 'Create', note: c.message }];
  if (c?.reason === CONFIGMAP_REASON.taken || c?.reason === CONFIGMAP_REASON.invalid)
    return [{ type: 'Warning', reason: c.reason, action: 'Create', note: c.message }];
  return [];
}

/** A plan that waits for approval (plan.ts): said once per plan, when its hash is new. */
function planEvents(input: EventInput, action: string): PlannedEvent[] {
  const plan = input.answer.status.plan;
  if (!plan || plan.hash === input.received?.plan?.hash) return [];
  const synced = find(input.answer.status.conditions ?? [], CONDITION.synced);
  return [{ type: 'Normal', reason: 'PlanPending', action, note: synced?.message ?? `A plan waits for approval: ${plan.hash}.` }];
}

export function plannedEvents(input: EventInput): PlannedEvent[] {
  const { answer, changes } = input;
  // The zero-cost answer of a Bucket without the ConfigMap is the received status itself: nothing moved.
  if (answer.status === input.received && !changes.created && !changes.adopted && changes.applied.length === 0) return [];
  const before = input.received?.conditions ?? [];
  const after = answer.status.conditions ?? [];
  if (input.hook === 'finalize') {
    const events = [...problemEvents(before, after, 'Delete'), ...planEvents(input, 'Delete')];
    const ready = find(after, CONDITION.ready);
    // Deleted, Retained, LeftInPlace: the resource's business with S3 is over.
    if (answer.finalized === true && ready) events.push({ type: 'Normal', reason: ready.reason, action: 'Delete', note: ready.message });
    return events.map((e) => ({ ...e, note: clampNote(e.note) }));
  }
  const events = [
    ...changeEvents(input, bucketOf(answer.status), answer.status.ackResourceMetadata?.region),
    ...problemEvents(before, after, 'Reconcile'),
    ...planEvents(input, 'Reconcile'),
  ];
  // A problem that went away without any write (access granted, S3 back): say so once.
  const ready = find(after, CONDITION.ready);
  const hadProblem = find(before, CONDITION.terminal) !== undefined || find(before, CONDITION.recoverable) !== undefined;
  if (events.length === 0 && hadProblem && ready?.status === 'True')
    events.push({ type: 'Normal', reason: ready.reason, action: 'Reconcile', note: ready.message });
  events.push(...configMapEvents(before, after));
  return events.map((e) => ({ ...e, note: clampNote(e.note) }));
}
