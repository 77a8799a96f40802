// The Kubernetes side: the Bucket object as Metacontroller sends it, and the status we answer.

export interface BucketMetadata {
  name: string;
  namespace?: string;
  uid: string;
  generation?: number;
  resourceVersion?: string;
  /** Read by IAMRoleSelectors' resourceLabelSelector (roles.ts). */
  labels?: Record<string, string>;
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

/** How far emptying a bucket before its deletion has come (annotation s3.services.k8s.aws/empty-on-delete), summed over finalize calls. */
export interface EmptyingProgress {
  /** Object versions and delete markers deleted. */
  objectsDeleted: number;
  uploadsAborted: number;
}

/** The hook's signed claim on the bucket name, made before it creates the bucket (claim-proof.ts). */
export interface BucketClaim {
  bucket: string;
  /** When the claim was made (the hook's clock), in Kubernetes' second precision. */
  time: string;
  /** HMAC-SHA256 over the resource's uid, namespace and name, the bucket and the time; base64url. */
  proof: string;
}

export interface BucketStatus {
  ackResourceMetadata?: ResourceMetadata;
  /** Only while this resource's bucket is reported: the claim made before its create (claim.ts). */
  claim?: BucketClaim;
  conditions?: Condition[];
  location?: string;
  observedGeneration?: number;
  lastCheck?: LastCheck;
  /** Only while (and once) finalize empties the bucket. */
  emptying?: EmptyingProgress;
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
  /** Only for Buckets with the coordinates-configmap annotation: whether that ConfigMap holds the bucket's coordinates. */
  configMap: 'ConfigMapReady',
  /** Only when an IAMRoleSelector chose the role (ACK's condition; roles.ts). */
  roleSelected: 'ACK.IAMRoleSelected',
} as const;

/** A Kubernetes object as Metacontroller passes it in `children` and `related` (only what the hook reads). */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; uid?: string; ownerReferences?: Array<{ uid?: string; controller?: boolean }> };
  data?: Record<string, string>;
}

/** `children` / `related` of a hook request: "Kind.apiVersion" -> key ("name", or "namespace/name") -> object. */
export type ObjectMap = Record<string, Record<string, KubeObject> | undefined>;

/** What Metacontroller sent besides the parent. */
export interface Observed {
  children?: ObjectMap | undefined;
  related?: ObjectMap | undefined;
}

/** A child the hook asks Metacontroller to keep: the ConfigMap with the bucket's coordinates (coordinates.ts). */
export interface ConfigMapChild {
  apiVersion: 'v1';
  kind: 'ConfigMap';
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  data: Record<string, string>;
}

/** The answer to Metacontroller (CompositeController hook response). */
export interface HookResponse {
  status: BucketStatus;
  /** Empty unless the Bucket opted in to the coordinates ConfigMap; Metacontroller deletes observed children left out. */
  children: ConfigMapChild[];
  resyncAfterSeconds?: number;
  finalized?: boolean;
}
