// spec.versioning.status. A bucket that never had versioning reports no status at all; that is the
// same as "Suspended" for the user, so asking for Suspended on such a bucket is already in sync.
import type { DesiredBucket, VersioningStatus } from '../types.js';
import type { Field } from './field.js';

export const versioningField: Field<VersioningStatus, VersioningStatus | 'Unset'> = {
  path: 'spec.versioning',
  readOperation: 'GetBucketVersioning',
  writeOperation: 'PutBucketVersioning',
  desired: (d: DesiredBucket) => d.versioning,
  read: (ctx) => ctx.port.getBucketVersioning(ctx.bucket, ctx.signal),
  initial: () => 'Unset',
  inSync: (desired, observed) => (observed === 'Unset' ? desired === 'Suspended' : desired === observed),
  write: (ctx, desired) => ctx.port.putBucketVersioning(ctx.bucket, desired, ctx.signal),
};
