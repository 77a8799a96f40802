// The zero-cost answer. Metacontroller calls far more often than anything changes (the echo of our own
// status write, its resyncs, restarts). When nothing the check depends on has changed since the last
// full check, and that check is recent and found the bucket in sync, the status received is the
// answer: no S3 call at all. The hook stays stateless: what it needs lives in status.lastCheck.
import crypto from 'node:crypto';
import { ANNOTATION } from './annotations.js';
import { CONDITION, type BucketResource, type LastCheck } from '../model/resource.js';
import { kubeTime } from '../steps/conditions.js';

/** Bump when a release changes how a spec is reconciled, so every Bucket gets one full check after an upgrade. */
export const RECONCILE_VERSION = '3';

/** The annotations that change what a sync does. */
const INPUT_ANNOTATIONS = [
  ANNOTATION.region,
  ANNOTATION.adoptionPolicy,
  ANNOTATION.adoptionFields,
  ANNOTATION.readOnly,
  ANNOTATION.driftCheckInterval,
  ANNOTATION.requestedAt,
] as const;

/**
 * Annotations that change a sync too, hashed only when set: a Bucket without them keeps the hash it had
 * before they existed, so adding them to the hook costs no Bucket a full check.
 */
const OPTIONAL_INPUT_ANNOTATIONS = [ANNOTATION.ignoreFieldDrift, ANNOTATION.paused] as const;

/** `identity`: the role chosen for the Bucket (roles.ts identityKey), hashed only when there is one. */
export function inputHash(resource: BucketResource, defaultRegion: string, identity?: string): string {
  const annotations = resource.metadata.annotations ?? {};
  const optional = OPTIONAL_INPUT_ANNOTATIONS.filter((k) => annotations[k] !== undefined).map((k) => [k, annotations[k]]);
  const inputs = {
    v: RECONCILE_VERSION,
    uid: resource.metadata.uid,
    spec: resource.spec ?? null,
    annotations: INPUT_ANNOTATIONS.map((k) => annotations[k] ?? null),
    defaultRegion,
    ...(identity === undefined ? {} : { identity }),
    ...(optional.length > 0 ? { optional } : {}),
  };
  // No key sorting: it runs on every echo, and Metacontroller's bodies come from Go's encoder, which
  // writes map keys sorted. A body with other key order only costs one extra full check.
  return sha256Hex(JSON.stringify(inputs)).slice(0, 16);
}

/**
 * crypto.hash (Node >= 20.12) where it exists: the same digest without a Hash object per call, which
 * profiling of the echo path showed as its largest cost of the hook's own (~7 us of ~140 us per answer).
 */
export const sha256Hex: (text: string) => string =
  typeof crypto.hash === 'function' ? (text) => crypto.hash('sha256', text, 'hex') : (text) => crypto.createHash('sha256').update(text).digest('hex');

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600 };

/** "600", "45s", "10m", "2h" -> seconds; undefined when absent or malformed (the global default applies). */
export function parseInterval(value: string | undefined): number | undefined {
  const match = value?.trim().match(/^(\d+)([smh]?)$/);
  if (!match) return undefined;
  const seconds = Number(match[1]) * (UNITS[match[2] || 's'] ?? 1);
  return seconds >= 10 ? seconds : undefined;
}

export function driftInterval(resource: BucketResource, fallback: number): number {
  return parseInterval(resource.metadata.annotations?.[ANNOTATION.driftCheckInterval]) ?? fallback;
}

/** What a full check records and how often it runs, computed once per call from its inputs. */
export interface CheckInputs {
  /** What an in-sync full check records in status.lastCheck. */
  lastCheck: LastCheck;
  /** The drift-check interval (annotation drift-check-interval, else the hook's). */
  driftCheckSeconds: number;
  /** Seconds until the next full check when the received status is still good as the answer; else undefined. */
  quick: number | undefined;
}

/**
 * The inputs of this call's check. The received status is the answer (`quick`) only after a recent full
 * check that found the bucket in sync, with nothing it depends on changed since: never for a changed
 * generation, a deletion, a failing or not-yet-synced resource, or changed inputs.
 */
export function checkInputs(
  resource: BucketResource,
  now: Date,
  defaults: { region: string; driftCheckSeconds: number; identity?: string | undefined },
): CheckInputs {
  const hash = inputHash(resource, defaults.region, defaults.identity);
  const interval = driftInterval(resource, defaults.driftCheckSeconds);
  return { lastCheck: { time: kubeTime(now), inputHash: hash }, driftCheckSeconds: interval, quick: quickSeconds(resource, now, hash, interval) };
}

function quickSeconds(resource: BucketResource, now: Date, hash: string, interval: number): number | undefined {
  const status = resource.status;
  const last = status?.lastCheck;
  if (!status || !last || resource.metadata.deletionTimestamp) return undefined;
  if (status.observedGeneration !== (resource.metadata.generation ?? 0)) return undefined;
  if (status.conditions?.find((c) => c.type === CONDITION.synced)?.status !== 'True') return undefined;
  if (last.inputHash !== hash) return undefined;
  const elapsed = (now.getTime() - Date.parse(last.time)) / 1000;
  if (!(elapsed >= 0 && elapsed < interval)) return undefined;
  return Math.max(1, Math.ceil(interval - elapsed));
}
