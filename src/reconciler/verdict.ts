// The outcome of one reconcile in the user's terms: what kubectl shows and when to look again.
import type { ConditionStatus } from './resource.js';

export interface ConditionContent {
  status: ConditionStatus;
  reason: string;
  message: string;
}

export type ResyncPolicy =
  /** In shape: come back at the drift-check interval. */
  | 'drift'
  /** Something retryable failed: back off, longer the longer it lasts. */
  | 'backoff'
  /** A step is done and the next one follows at once (the create after its reservation). */
  | 'soon'
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

/** Retrying later may succeed without any change by the user. */
export function recoverable(reason: string, message: string, ready: ConditionContent = { status: 'False', reason, message }): Verdict {
  return { ready, synced: { status: 'False', reason, message }, recoverable: { reason, message }, resync: 'backoff' };
}
