// Conversion between ACK's spec shapes (camelCase, with ACK's spellings) and the shapes of
// @aws-sdk/client-s3 (PascalCase members), for bucket sub-resource values: recursively over objects
// and arrays; values other than lifecycle dates are left alone (e.g. "s3:ObjectCreated:*").
//
// Key names: the SDK member is the ACK key with its first letter upper-cased, except:
//   - the irregular spellings in RENAMES below (the same in every context), and
//   - two context-dependent ones:
//       id     -> ID in LifecycleRule, CORSRule, ReplicationRule and Grantee (objects under `rules`,
//                 `corsRules` or `grantee`), Id everywhere else (analytics, metrics, inventory,
//                 Intelligent-Tiering and notification configurations); both come back as `id`.
//       type_  -> Type in Grantee; `type` -> Type elsewhere (createBucketConfiguration.location/.bucket);
//                 Type comes back as `type_` under `grantee`, `type` elsewhere.
// ACK's `replication.roleRef` (a reference to an ACK IAM Role) has no SDK counterpart: toSdk drops it.
//
// Dates: toSdk turns lifecycle `expiration.date` and `transitions[].date` strings into Date objects;
// fromSdk turns every Date into the canonical string: RFC 3339 in UTC with second precision, like
// Kubernetes' metav1.Time ("2030-01-01T00:00:00Z"); milliseconds are kept only when not zero.
// `undefined` members and array entries are dropped in both directions.
//
// `context` is the ACK spec path of the value: "lifecycle" for spec.lifecycle, "analytics" for the
// list or one of its entries, "lifecycle.rules" for a single rule, and so on ("spec." and indices are
// ignored; the port's name "objectLock" is accepted for objectLockConfiguration). It tells toSdk
// which `id` spelling a fragment needs, and lets fromSdk drop SDK members ACK's spec has no field for
// (e.g. NotificationConfiguration.EventBridgeConfiguration, ObjectLockConfiguration.ObjectLockEnabled,
// LoggingEnabled.TargetObjectKeyFormat, ServerSideEncryptionRule.BlockedEncryptionTypes): with a
// context the result holds only fields of the spec schema; without one every member is converted.
//
// The typed entry points (toSdkAs, fromSdkAs) say, per context, which port value (values.ts) becomes
// which SDK member and back: the one place where that link is asserted rather than inferred, since the
// conversion is by rule; test/unit/shape.test.ts checks the rule against the SDK's own schemas.
import type {
  AnalyticsConfiguration,
  BucketInfo,
  BucketLifecycleConfiguration,
  BucketLoggingStatus,
  CORSConfiguration,
  IntelligentTieringConfiguration,
  InventoryConfiguration,
  LocationInfo,
  MetricsConfiguration,
  NotificationConfiguration,
  ObjectLockRule,
  OwnershipControls,
  PublicAccessBlockConfiguration,
  PutBucketAclRequest,
  ReplicationConfiguration,
  ServerSideEncryptionConfiguration,
  WebsiteConfiguration,
} from '@aws-sdk/client-s3';
import { specSchema, type JsonSchema } from '../schema/bucket-schema.js';
import type { AclWrite, CollectionItem, ConfigValue, Doc } from './values.js';
import { isRecord } from '../schema/record.js';

/** ACK key -> SDK member, where it is not just the first letter upper-cased (or cannot be inverted that way). */
const RENAMES: ReadonlyArray<readonly [ack: string, sdk: string]> = [
  ['acl', 'ACL'],
  ['corsRules', 'CORSRules'],
  ['sseAlgorithm', 'SSEAlgorithm'],
  ['kmsMasterKeyID', 'KMSMasterKeyID'],
  ['blockPublicACLs', 'BlockPublicAcls'],
  ['ignorePublicACLs', 'IgnorePublicAcls'],
  ['lambdaFunctionARN', 'LambdaFunctionArn'],
  ['queueARN', 'QueueArn'],
  ['topicARN', 'TopicArn'],
  ['accessPointARN', 'AccessPointArn'],
  ['accountID', 'AccountId'],
  ['bucketAccountID', 'BucketAccountId'],
  ['keyID', 'KeyId'],
  ['sseKMS', 'SSEKMS'],
  ['replicaKMSKeyID', 'ReplicaKmsKeyID'],
  ['sseKMSEncryptedObjects', 'SseKmsEncryptedObjects'],
  ['uRI', 'URI'],
];
const TO_SDK = new Map(RENAMES);
const FROM_SDK = new Map(RENAMES.map(([ack, sdk]) => [sdk, ack]));

/** ACK keys whose objects use the SDK spelling `ID` (LifecycleRule, ReplicationRule, CORSRule, Grantee). */
const UPPER_ID_PARENTS = new Set(['rules', 'corsRules', 'grantee']);
/** ACK keys with no SDK member. */
const ACK_ONLY = new Set(['roleRef']);
/** Parents of the lifecycle `date` fields. */
const DATE_PARENTS = new Set(['expiration', 'transitions']);
const CONTEXT_ALIASES: Record<string, string> = { objectLock: 'objectLockConfiguration' };

type Direction = 'toSdk' | 'fromSdk';

function sdkKey(key: string, parent: string | undefined): string | undefined {
  if (ACK_ONLY.has(key)) return undefined;
  if (key === 'id') return parent !== undefined && UPPER_ID_PARENTS.has(parent) ? 'ID' : 'Id';
  if (key === 'type_') return 'Type';
  return TO_SDK.get(key) ?? key.charAt(0).toUpperCase() + key.slice(1);
}

function ackKey(key: string, parent: string | undefined): string {
  if (key === 'ID' || key === 'Id') return 'id';
  if (key === 'Type') return parent === 'grantee' ? 'type_' : 'type';
  const renamed = FROM_SDK.get(key);
  if (renamed) return renamed;
  // Members ACK does not spell out: a leading acronym goes lower-case as a whole (MFADelete -> mfaDelete).
  if (/^[A-Z0-9]+$/.test(key)) return key.toLowerCase();
  const acronym = /^([A-Z]+)([A-Z][a-z].*)$/.exec(key);
  if (acronym) return acronym[1]!.toLowerCase() + acronym[2]!;
  return key.charAt(0).toLowerCase() + key.slice(1);
}

/** The canonical string of a Date: "2030-01-01T00:00:00Z", or with milliseconds when they are not zero. */
export function canonicalTime(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new RangeError('fromSdk: the SDK returned an invalid Date');
  return date.toISOString().replace('.000Z', 'Z');
}

function toDate(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date;
}

/** The spec schema node at an ACK path, arrays stepped through; undefined when the path is not in the schema. */
function schemaAt(path: string[]): JsonSchema | undefined {
  let node: JsonSchema | undefined = specSchema;
  for (const segment of path) {
    node = element(node);
    const properties = node?.properties as Record<string, JsonSchema> | undefined;
    node = properties?.[segment];
    if (!node) return undefined;
  }
  return node;
}

function element(node: JsonSchema | undefined): JsonSchema | undefined {
  let current = node;
  while (current?.type === 'array') current = current.items as JsonSchema | undefined;
  return current;
}

function parseContext(context: string | undefined): string[] {
  if (!context) return [];
  const path = context
    .replace(/\[\d*\]/g, '')
    .split('.')
    .filter((s) => s !== '');
  if (path[0] === 'spec') path.shift();
  const alias = path[0] === undefined ? undefined : CONTEXT_ALIASES[path[0]];
  if (alias) path[0] = alias;
  return path;
}

function convert(value: unknown, direction: Direction, parent: string | undefined, schema: JsonSchema | undefined): unknown {
  if (value instanceof Date) return direction === 'fromSdk' ? canonicalTime(value) : value;
  if (Array.isArray(value)) {
    const items = schema?.type === 'array' ? (schema.items as JsonSchema | undefined) : schema;
    return value.filter((v) => v !== undefined).map((v) => convert(v, direction, parent, items));
  }
  if (!isRecord(value)) return value;
  const known = element(schema)?.properties as Record<string, JsonSchema> | undefined;
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) {
    if (member === undefined || key === '$metadata') continue;
    if (direction === 'toSdk') {
      const name = sdkKey(key, parent);
      if (name === undefined) continue;
      const converted = key === 'date' && parent !== undefined && DATE_PARENTS.has(parent) ? toDate(member) : member;
      out[name] = convert(converted, direction, key, undefined);
    } else {
      const name = ackKey(key, parent);
      if (known && !(name in known)) continue;
      out[name] = convert(member, direction, name, known?.[name]);
    }
  }
  return out;
}

/** ACK spec shape -> @aws-sdk/client-s3 input shape. `context`: the value's ACK spec path, e.g. "lifecycle". */
export function toSdk(value: unknown, context?: string): unknown {
  return convert(value, 'toSdk', parseContext(context).at(-1), undefined);
}

/**
 * @aws-sdk/client-s3 output shape -> ACK spec shape. With a `context` (the ACK spec path, e.g.
 * "notification") members ACK's spec has no field for are dropped.
 */
export function fromSdk(value: unknown, context?: string): unknown {
  const path = parseContext(context);
  return convert(value, 'fromSdk', path.at(-1), path.length > 0 ? schemaAt(path) : undefined);
}

/** Per context: the port's value (ACK shape) and the SDK member it is sent as. */
interface Conversions {
  encryption: { ack: ConfigValue['encryption']; sdk: ServerSideEncryptionConfiguration };
  publicAccessBlock: { ack: ConfigValue['publicAccessBlock']; sdk: PublicAccessBlockConfiguration };
  ownershipControls: { ack: ConfigValue['ownershipControls']; sdk: OwnershipControls };
  cors: { ack: ConfigValue['cors']; sdk: CORSConfiguration };
  lifecycle: { ack: ConfigValue['lifecycle']; sdk: BucketLifecycleConfiguration };
  logging: { ack: ConfigValue['logging']; sdk: BucketLoggingStatus };
  website: { ack: ConfigValue['website']; sdk: WebsiteConfiguration };
  notification: { ack: ConfigValue['notification']; sdk: NotificationConfiguration };
  replication: { ack: ConfigValue['replication']; sdk: ReplicationConfiguration };
  'objectLockConfiguration.rule': { ack: Doc; sdk: ObjectLockRule };
  /** PutBucketAcl's own members: the canned ACL or the grant headers. */
  acl: { ack: AclWrite; sdk: Pick<PutBucketAclRequest, 'ACL' | 'GrantFullControl' | 'GrantRead' | 'GrantReadACP' | 'GrantWrite' | 'GrantWriteACP'> };
  analytics: { ack: CollectionItem['analytics']; sdk: AnalyticsConfiguration };
  metrics: { ack: CollectionItem['metrics']; sdk: MetricsConfiguration };
  inventory: { ack: CollectionItem['inventory']; sdk: InventoryConfiguration };
  intelligentTiering: { ack: CollectionItem['intelligentTiering']; sdk: IntelligentTieringConfiguration };
  'createBucketConfiguration.location': { ack: Doc; sdk: LocationInfo };
  'createBucketConfiguration.bucket': { ack: Doc; sdk: BucketInfo };
}

/** Per context: what fromSdk makes of the SDK's output there (a collection's context: its whole list). */
interface Readings {
  encryption: ConfigValue['encryption'];
  publicAccessBlock: ConfigValue['publicAccessBlock'];
  ownershipControls: ConfigValue['ownershipControls'];
  cors: ConfigValue['cors'];
  lifecycle: ConfigValue['lifecycle'];
  logging: ConfigValue['logging'];
  website: ConfigValue['website'];
  notification: ConfigValue['notification'];
  replication: ConfigValue['replication'];
  'objectLockConfiguration.rule': Doc;
  /** GetBucketAcl's Grants, every member kept (spec.acl is a string: there is no schema to prune by). */
  'acl.grants': Doc[];
  analytics: Array<CollectionItem['analytics']>;
  metrics: Array<CollectionItem['metrics']>;
  inventory: Array<CollectionItem['inventory']>;
  intelligentTiering: Array<CollectionItem['intelligentTiering']>;
}

/** toSdk for a port value: the SDK member its context names (`context` is passed to toSdk as it is). */
export function toSdkAs<C extends keyof Conversions>(value: Conversions[C]['ack'], context: C): Conversions[C]['sdk'] {
  // The conversion is by rule (the renames above), so this is asserted, not inferred: shape.test.ts
  // checks every converted member against the SDK's schema and serialises it with the real SDK.
  return toSdk(value, context) as Conversions[C]['sdk'];
}

/** fromSdk for an SDK output: the port value its context names (`context` is passed to fromSdk as it is). */
export function fromSdkAs<C extends keyof Readings>(value: object, context: C): Readings[C] {
  // As in toSdkAs: an object comes back an object with the spec's keys, a list a list (shape.test.ts).
  return fromSdk(value, context) as Readings[C];
}
