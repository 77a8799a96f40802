// The drift-loop guard: pure. The hook is stateless, so the status is its memory of how often it put
// each field back recently (status.driftCorrections). A field corrected `limit` times within `window`
// that has drifted again is being changed back by something else (another controller, a Terraform
// run, a store that normalises the value): writing it again would only repeat the fight and its bill,
// so the field is blocked (no more writes) until a person acts. Ways out: a new value of the
// requested-at annotation (the memory starts over), or the field named in ignore-field-drift (it is no
// longer managed, so its memory goes). The other fields stay managed.
import { ANNOTATION } from './annotations.js';
import type { DriftCorrections, FieldCorrections } from '../model/resource.js';
import { kubeTime } from '../steps/conditions.js';
import { terminal, type Verdict } from '../outcome/verdict.js';

export interface DriftLoopSettings {
  /** DRIFT_LOOP_CORRECTIONS: corrections of one field within the window before it is blocked; 0 turns the guard off. */
  corrections: number;
  /** DRIFT_LOOP_WINDOW_SECONDS: how far back corrections count. */
  windowSeconds: number;
}

/**
 * 5 corrections within an hour. A person fixing drift by hand makes one correction, rarely two, in an
 * hour. At the default drift-check interval (10 min) a field reverted all the time is corrected at most
 * 6 times an hour, so 5 catches it within the first hour (about 50 min); with a 10 s interval, within
 * 50 s. After that the cost is the reads of one full check per interval and no write.
 */
export const DEFAULT_DRIFT_LOOP: DriftLoopSettings = { corrections: 5, windowSeconds: 3600 };

export interface LoopInput {
  /** The memory in the status received. */
  previous: DriftCorrections | undefined;
  /** The requested-at annotation's value now: a new value starts the memory over. */
  requestedAt: string | undefined;
  /** The spec paths managed (and compared) in this pass: the memory of any other field is dropped. */
  managed: readonly string[];
  now: Date;
  settings: DriftLoopSettings;
}

/** The memory as it stands before this pass's writes: reset, pruned, and which fields are blocked. */
export interface LoopState {
  memory: DriftCorrections;
  input: LoopInput;
}

function windowStart(input: LoopInput): number {
  return input.now.getTime() - input.settings.windowSeconds * 1000;
}

/** Reset on a new requested-at, drop unmanaged fields, forget corrections older than the window (not a block's evidence). */
export function startPass(input: LoopInput): LoopState {
  // The guard turned off (0) forgets every block too: nothing would ever lift one.
  const fresh = input.previous === undefined || input.previous.requestedAt !== input.requestedAt || input.settings.corrections === 0;
  const since = windowStart(input);
  const fields: FieldCorrections[] = [];
  for (const entry of fresh ? [] : (input.previous?.fields ?? [])) {
    if (!input.managed.includes(entry.field)) continue;
    // A blocked field keeps its evidence (the times that blocked it) until a way out is taken.
    const times = entry.blockedAt ? entry.times : entry.times.filter((t) => Date.parse(t) >= since);
    if (times.length === 0 && !entry.blockedAt) continue;
    fields.push({ ...entry, times: [...times] });
  }
  const memory: DriftCorrections = { fields };
  if (input.requestedAt !== undefined) memory.requestedAt = input.requestedAt;
  return { memory, input };
}

/**
 * Which of the fields that differ now may be written. `drift`: this pass corrects drift (the spec's
 * generation was reconciled before); a spec change or a create is no correction and is never withheld.
 * A field is withheld when it is blocked, or when it was already corrected `limit` times within the
 * window: then it becomes blocked here, before the write that would repeat the loop.
 */
export function withheld(state: LoopState, differing: readonly string[], drift: boolean): string[] {
  const { corrections: limit } = state.input.settings;
  const held: string[] = [];
  for (const field of differing) {
    const entry = state.memory.fields.find((e) => e.field === field);
    if (entry?.blockedAt) {
      held.push(field);
      continue;
    }
    if (!drift || limit === 0 || !entry || entry.times.length < limit) continue;
    entry.blockedAt = kubeTime(state.input.now);
    held.push(field);
  }
  return held;
}

/** Records this pass's corrections (the drift writes that S3 accepted), keeping at most `limit` times per field. */
export function recordCorrections(state: LoopState, corrected: readonly string[]): DriftCorrections {
  const limit = state.input.settings.corrections;
  // The guard off: nothing to remember.
  if (limit === 0) return state.memory;
  for (const field of corrected) {
    let entry = state.memory.fields.find((e) => e.field === field);
    if (!entry) {
      entry = { field, times: [] };
      state.memory.fields.push(entry);
    }
    entry.times = [...entry.times, kubeTime(state.input.now)].slice(-limit);
  }
  return state.memory;
}

export function blockedFields(memory: DriftCorrections | undefined): FieldCorrections[] {
  return memory?.fields.filter((e) => e.blockedAt !== undefined) ?? [];
}

/** The memory to answer: undefined when there is nothing to remember (the status then has no driftCorrections). */
export function memoryToKeep(memory: DriftCorrections): DriftCorrections | undefined {
  return memory.fields.length > 0 ? memory : undefined;
}

function duration(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/**
 * Terminal for the user (Argo CD Degraded, kstatus Failed): nothing changes until a person finds the
 * other writer. Still checked at the drift interval, since the other fields stay managed.
 */
export function driftLoopVerdict(blocked: FieldCorrections[], bucket: string, settings: DriftLoopSettings): Verdict {
  const fields = blocked.map((e) => `${e.field} ${e.times.length} times (last at ${e.times.at(-1) ?? e.blockedAt})`).join(', ');
  const names = blocked.map((e) => e.field).join(',');
  const message =
    `Something else keeps changing bucket "${bucket}" back: the hook put ${fields} back to the spec and it drifted again each time, so it stopped writing ${blocked.length === 1 ? 'that field' : 'those fields'} (a field corrected ${settings.corrections} times within ${duration(settings.windowSeconds)} is a drift loop: DRIFT_LOOP_CORRECTIONS, DRIFT_LOOP_WINDOW_SECONDS). ` +
    `The other fields are still managed. Ways out: find the other writer (another controller, a Terraform run, an S3-compatible store that normalises the value) and stop it, then set the annotation ${ANNOTATION.requestedAt} to a new value to let the hook write again; ` +
    `or leave the field to the other writer with the annotation ${ANNOTATION.ignoreFieldDrift}: ${names}.`;
  return { ...terminal('DriftLoop', message), resync: 'drift' };
}

/** The fields blocked in `answered` that were not blocked in `received`: what the drift-loop metric counts. */
export function newlyBlocked(received: DriftCorrections | undefined, answered: DriftCorrections | undefined): string[] {
  const before = new Set(blockedFields(received).map((e) => e.field));
  return blockedFields(answered)
    .map((e) => e.field)
    .filter((f) => !before.has(f));
}
