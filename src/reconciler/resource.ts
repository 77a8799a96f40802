// The Kubernetes side: the Bucket object as Metacontroller sends it, and the status we answer.

export interface BucketMetadata {
  name: string;
  namespace?: string;
  uid: string;
  generation?: number;
  annotations?: Record<string, string>;
  deletionTimestamp?: string;
}

export interface BucketResource {
  apiVersion: string;
  kind: string;
  metadata: BucketMetadata;
  spec?: Record<string, unknown>;
  status?: BucketStatus;
}

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Condition {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  lastTransitionTime: string;
}

export interface ResourceMetadata {
  arn?: string;
  ownerAccountID?: string;
  partition?: string;
  region: string;
}

export interface LastCheck {
  time: string;
  inputHash: string;
}

export interface BucketStatus {
  ackResourceMetadata?: ResourceMetadata;
  conditions?: Condition[];
  location?: string;
  observedGeneration?: number;
  lastCheck?: LastCheck;
}

export const CONDITION = {
  ready: 'Ready',
  synced: 'ACK.ResourceSynced',
  terminal: 'ACK.Terminal',
  recoverable: 'ACK.Recoverable',
  /** kstatus: the resource cannot make progress without a change (mirrors ACK.Terminal). */
  stalled: 'Stalled',
  /** kstatus: work is under way (creating, retrying, deleting): not Ready and not terminal. */
  reconciling: 'Reconciling',
} as const;

/** The answer to Metacontroller (CompositeController hook response). */
export interface HookResponse {
  status: BucketStatus;
  children: [];
  resyncAfterSeconds?: number;
  finalized?: boolean;
}
