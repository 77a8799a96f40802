// A managed sub-resource of a bucket (tags, versioning, lifecycle, ...): how to read it, compare it in
// normalised form and write it. The reconciler runs the same observe -> diff -> apply steps over every
// field; each field owns the knowledge of how S3 reports its setting.
import type { S3Port } from '../../s3/port.js';
import type { DesiredBucket, ResourceRef } from '../types.js';

export interface FieldContext {
  port: S3Port;
  bucket: string;
  ref: ResourceRef;
  signal?: AbortSignal | undefined;
}

export interface Field<D, O> {
  /** Spec path for messages and logs, e.g. "spec.versioning". */
  readonly path: string;
  /** What the spec asks for; undefined when the spec leaves the field unmanaged. Throws SpecError. */
  desired(d: DesiredBucket): D | undefined;
  /** Fails with the port's S3Errors only: a field reads through the port and throws nothing of its own. */
  read(ctx: FieldContext): Promise<O>;
  inSync(desired: D, observed: O): boolean;
  /** As read: fails with the port's S3Errors only. */
  write(ctx: FieldContext, desired: D, observed: O): Promise<void>;
}

/** A field with its value types erased, for lists of heterogeneous fields. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyField = Field<any, any>;
