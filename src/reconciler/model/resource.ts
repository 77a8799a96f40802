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

/** One field's recent drift corrections (drift-loop.ts). */
export interface FieldCorrections {
  /** The spec path, e.g. spec.versioning. */
  field: string;
  /** When the hook put the field back to the spec, oldest first; at most DRIFT_LOOP_CORRECTIONS of them. */
  times: string[];
  /** Set when the hook stopped writing the field (a drift loop); kept until requested-at changes or the field is no longer managed. */
  blockedAt?: string;
}

/** The hook's memory of its recent drift corrections: the status is its only memory (drift-loop.ts). */
export interface DriftCorrections {
  /** The requested-at annotation's value this memory was made under: a new value starts it over. */
  requestedAt?: string;
  fields: FieldCorrections[];
}

/** One S3 write of a plan waiting for approval (plan.ts). */
export interface PlanStep {
  /** The S3 API operation, e.g. PutBucketVersioning. */
  call: string;
  /** What it writes in the resource's terms: a spec path, or the annotation that asks for it. */
  field: string;
  /** For people: what the call does, its value shortened. */
  summary: string;
}

/** The writes a sync or finalize would make, waiting for approval (annotation s3.services.k8s.aws/approved-plan=<hash>). */
export interface BucketPlan {
  /** A hash of the writes, in order, with their full values: what the approval names. */
  hash: string;
  /** The writes in the order they would be sent. */
  writes: PlanStep[];
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
  /** The hook's recent drift corrections per field, and the fields it stopped writing (drift-loop.ts). */
  driftCorrections?: DriftCorrections;
  /** Only while writes wait for approval (annotation s3.services.k8s.aws/approval: required): the plan (plan.ts). */
  plan?: BucketPlan;
  /** The hash of the last approved plan the hook carried out: an approval is used once (plan.ts). */
  appliedPlan?: string;
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
