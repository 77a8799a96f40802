// The outcome of one reconcile in the user's terms: what kubectl shows and when to look again. Every
// verdict is made by one of the constructors below, so what each kind of outcome means for the
// conditions and for the next call is decided here and nowhere else.
import type { ConditionStatus } from '../model/resource.js';

export interface ConditionContent {
  status: ConditionStatus;
  reason: string;
  message: string;
}

export type ResyncPolicy =
  /** In shape: come back at the drift-check interval. */
  | 'drift'
  /**
   * Back off, longer the longer the problem lasts (measured from the Recoverable condition, or from the
   * Terminal one of a terminal verdict that is re-checked).
   */
  | 'backoff'
  /** A step is done and the next one follows in a second (emptying a bucket, one budget per call). */
  | 'soon'
  /**
   * The next step waits only for this answer's status to be written (the create after its reservation):
   * called again a fifth of a second later, time for Metacontroller's cache to hold the written status.
   */
  | 'next'
  /** Waiting for the user (terminal): no requeue until the resource changes. */
  | 'none';

export interface Verdict {
  ready: ConditionContent;
  synced: ConditionContent;
  terminal?: { reason: string; message: string };
  recoverable?: { reason: string; message: string };
  resync: ResyncPolicy;
}

export function inSync(message: string, ready = 'Available'): Verdict {
  return {
    ready: { status: 'True', reason: ready, message },
    synced: { status: 'True', reason: 'Synced', message },
    resync: 'drift',
  };
}

/** The user must change something (spec, annotation, or the world) before a retry can help. */
export function terminal(reason: string, message: string, ready: ConditionContent = { status: 'False', reason, message }): Verdict {
  return { ready, synced: { status: 'False', reason, message }, terminal: { reason, message }, resync: 'none' };
}

/**
 * Terminal for the user (ACK.Terminal, Stalled: nothing to retry on their side), but re-checked with
 * backoff because the world may resolve it by itself: another resource releasing a bucket, a second
 * replica tagging the bucket it just created.
 */
export function terminalRechecked(reason: string, message: string): Verdict {
  return { ...terminal(reason, message), resync: 'backoff' };
}

/** Retrying later may succeed without any change by the user. */
export function recoverable(reason: string, message: string, ready: ConditionContent = { status: 'False', reason, message }): Verdict {
  return { ready, synced: { status: 'False', reason, message }, recoverable: { reason, message }, resync: 'backoff' };
}

/** Neither a failure nor in sync: a step on the way (Creating, Emptying), called again shortly. */
export function progressing(reason: string, message: string, resync: 'soon' | 'next' = 'soon'): Verdict {
  return { ready: { status: 'False', reason, message }, synced: { status: 'False', reason, message }, resync };
}

/** The resource's business with S3 is over (Deleted, Retained, LeftInPlace): nothing to retry. */
export function settled(reason: string, message: string): Verdict {
  return { ready: { status: 'False', reason, message }, synced: { status: 'False', reason, message }, resync: 'none' };
}

/** The bucket is as it should be but S3 differs from the spec and the hook may not write (read-only). */
export function observedDrift(reason: string, message: string): Verdict {
  return { ready: { status: 'True', reason: 'Available', message }, synced: { status: 'False', reason, message }, resync: 'drift' };
}
