// Domain types of the reconciler core. No Fastify, no SDK, no process: the core is pure data in, data out.
import type { CreateExtras, CreateTagging, S3Port } from '../../s3/port.js';

export type { Presence } from '../../s3/port.js';

/** Identity of the Kubernetes object being reconciled. */
export interface ResourceRef {
  namespace: string;
  name: string;
  uid: string;
  generation: number;
  /** CLUSTER_NAME, when the hook has one: part of the ownership tags. */
  cluster?: string | undefined;
}

export type DeletionPolicy = 'delete' | 'retain';
export type AdoptionPolicy = 'none' | 'adopt' | 'adopt-or-create';
export type VersioningStatus = 'Enabled' | 'Suspended';

/** Which bucket a resource points at, where, and how it may be treated. */
export interface Target {
  ref: ResourceRef;
  bucketName: string;
  region: string;
  deletionPolicy: DeletionPolicy;
  adoptionPolicy: AdoptionPolicy;
  readOnly: boolean;
}

/** What the Bucket resource asks for, parsed and validated: what each field reads its desired value from. */
export interface DesiredSpec extends Target {
  /** Sent at create time only (ACK: never compared afterwards). Undefined for us-east-1. */
  locationConstraint: string | undefined;
  /** User tags (spec.tagging.tagSet) as an ordered list; undefined when spec.tagging is omitted. */
  tags: Array<{ key: string; value: string }> | undefined;
  /** Create-time settings (never compared afterwards, as in ACK). */
  create: CreateExtras;
  /** The whole spec, schema-validated: each field reads its own part. */
  spec: Record<string, unknown>;
  /** Tag key prefixes other tools own (FOREIGN_TAG_PREFIXES; aws: always): never compared, never removed. */
  foreignTagPrefixes?: readonly string[] | undefined;
}

/** A field the spec manages, with its desired value: computed once, where the spec is resolved. */
export interface ManagedField {
  field: AnyField;
  value: unknown;
}

/** The desired state: the spec resolved, and each managed field's desired value (sub-resources the spec leaves out are unmanaged). */
export interface DesiredBucket extends DesiredSpec {
  /** The fields the spec manages, in apply order (fields/index.ts), each with field.desired()'s value. */
  managed: ManagedField[];
  /** Fields whose drift is ignored (annotation services.k8s.aws/ignore-field-drift): written at create only (ignore-drift.ts). */
  ignoredFields?: string[];
}

export interface FieldContext {
  port: S3Port;
  bucket: string;
  ref: ResourceRef;
  signal?: AbortSignal | undefined;
}

/**
 * A managed sub-resource of a bucket (tags, versioning, lifecycle, ...): how to read it, compare it in
 * normalised form and write it. The reconciler runs the same observe -> diff -> apply steps over every
 * field; each field owns the knowledge of how S3 reports its setting (src/reconciler/fields/).
 */
export interface Field<D, O> {
  /** Spec path for messages and logs, e.g. "spec.versioning". */
  readonly path: string;
  /** What the spec asks for; undefined when the spec leaves the field unmanaged. Throws SpecError. Called once per sync (resolveDesired). */
  desired(d: DesiredSpec): D | undefined;
  /** Fails with the port's S3Errors only: a field reads through the port and throws nothing of its own. */
  read(ctx: FieldContext): Promise<O>;
  inSync(desired: D, observed: O): boolean;
  /** As read: fails with the port's S3Errors only. */
  write(ctx: FieldContext, desired: D, observed: O): Promise<void>;
  /**
   * What S3 reports for this field on a bucket the hook has just created, when the hook knows it without
   * asking (a setting a new bucket does not have); undefined, or no such method: it is read. `tagging`:
   * what the endpoint does with the tags sent with CreateBucket (create-tagging.ts).
   */
  created?(desired: D, spec: DesiredSpec, tagging: CreateTagging): { value: O } | undefined;
}

/**
 * A field with its value types erased, for the list of every field and the managed ones. Every field is
 * one (Field's methods take their values bivariantly); each value a field is handed back (desired,
 * observed) is one it produced itself (desired(), read()).
 */
export type AnyField = Field<unknown, unknown>;

export type Ownership =
  /** Tags carry this resource's uid. */
  | 'ours'
  /** Tags name another Kubernetes resource (another uid). */
  | 'other-resource'
  /** No ownership tags (a bucket someone made by hand, tags wiped out of band), or ones that are not Kubernetes names. */
  | 'unmarked';
