// Domain types of the reconciler core. No Fastify, no SDK, no process: the core is pure data in, data out.
import type { CreateExtras } from '../s3/port.js';

export type { Presence } from '../s3/port.js';

/** Identity of the Kubernetes object being reconciled. */
export interface ResourceRef {
  namespace: string;
  name: string;
  uid: string;
  generation: number;
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

/** What the Bucket resource asks for, parsed and validated. Undefined sub-resources are unmanaged. */
export interface DesiredBucket extends Target {
  /** Sent at create time only (ACK: never compared afterwards). Undefined for us-east-1. */
  locationConstraint: string | undefined;
  /** User tags (spec.tagging.tagSet) as an ordered list; undefined when spec.tagging is omitted. */
  tags: Array<{ key: string; value: string }> | undefined;
  /** Create-time settings (never compared afterwards, as in ACK). */
  create: CreateExtras;
  /** The whole spec, schema-validated: each field reads its own part. */
  spec: Record<string, unknown>;
}

export type Ownership =
  /** Tags carry this resource's uid. */
  | 'ours'
  /** Tags name another Kubernetes resource (another uid). */
  | 'other-resource'
  /** No ownership tags at all: a bucket someone made by hand, or tags wiped out of band. */
  | 'unmarked';

