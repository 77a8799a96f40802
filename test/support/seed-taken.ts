// `npm run seed:taken`: for the README's walk-through, the "other account" of the local RGW creates the
// bucket that hooks/sync-name-taken.json asks for, so replaying it shows NameTaken. Idempotent.
import { CreateBucketCommand, type BucketLocationConstraint } from '@aws-sdk/client-s3';
import { NAMES } from './hook-bodies.js';
import { rawClient, rgwEnv } from './rgw.js';

const env = rgwEnv();
const other = rawClient(env, 'other');
try {
  await other.send(new CreateBucketCommand({ Bucket: NAMES.taken, CreateBucketConfiguration: { LocationConstraint: env.region as BucketLocationConstraint } }));
  console.log(`bucket ${NAMES.taken} now belongs to the other account`);
} finally {
  other.destroy();
}
