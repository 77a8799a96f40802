// Every managed field, in the order S3 needs the writes:
//  1. tagging: carries the ownership marks, so a bucket is claimed before anything else changes.
//  2. ownership controls, then public access block: they decide whether the ACL and policy that follow
//     are allowed at all (ACLs are refused under BucketOwnerEnforced; a public policy under a block).
//  3. acl, policy, encryption.
//  4. versioning before object lock and replication: both require a versioned bucket.
//  5. the rest, independent of each other, then the id-keyed collections.
import { aclField } from './acl.js';
import { analyticsField, intelligentTieringField, inventoryField, metricsField } from './collections.js';
import { corsField } from './cors.js';
import type { AnyField } from '../model/types.js';
import { lifecycleField } from './lifecycle.js';
import { loggingField } from './logging.js';
import { notificationField } from './notification.js';
import { objectLockField } from './object-lock.js';
import { policyField } from './policy.js';
import { replicationField } from './replication.js';
import { abacField, accelerateField, encryptionField, ownershipControlsField, publicAccessBlockField, requestPaymentField, versioningField } from './simple.js';
import { taggingField } from './tagging.js';
import { websiteField } from './website.js';

export const FIELDS: readonly AnyField[] = [
  taggingField,
  ownershipControlsField,
  publicAccessBlockField,
  aclField,
  policyField,
  encryptionField,
  versioningField,
  objectLockField,
  replicationField,
  lifecycleField,
  corsField,
  websiteField,
  loggingField,
  accelerateField,
  requestPaymentField,
  notificationField,
  abacField,
  analyticsField,
  metricsField,
  inventoryField,
  intelligentTieringField,
];
