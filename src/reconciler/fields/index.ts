// Every managed field, in the order S3 needs the writes. Why this order:
//  1. tagging first: it carries the ownership marks, so a bucket is claimed before anything else changes
//     (and tag-based policies see the tags before later calls).
//  2. versioning: must precede replication and object lock (added with the full spec).
import type { AnyField } from './field.js';
import { taggingField } from './tagging.js';
import { versioningField } from './versioning.js';

export const FIELDS: readonly AnyField[] = [taggingField, versioningField];
