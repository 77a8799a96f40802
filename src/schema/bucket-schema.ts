// The one source of the Bucket schema: ajv validates hook requests with it at run time, and
// `npm run manifests` writes it into the CRD's openAPIV3Schema (test/manifests checks they agree).
// Only keywords that are valid in a Kubernetes structural schema are used.
//
// specSchema covers all of ACK's Bucket spec (s3.services.k8s.aws/v1alpha1): the same field names,
// nesting and types, so manifests written for ACK keep working. It is stricter than ACK's CRD only
// where S3 itself has a closed set of values (enums), for the bucket name's length, and for
// negative counts. Our semantics throughout: a field left out is not managed.

export type JsonSchema = Record<string, unknown>;

/**
 * spec.policy's bounds. The length is twice S3's own 20 KB limit, so that no policy S3 accepts (it may
 * count without the whitespace of a pretty-printed document) is refused here. The depth cannot be
 * stated in a structural schema (the policy is a string): the hook checks it (fields/policy.ts), so a
 * policy nested thousands deep is an InvalidSpec, not a stack overflow.
 */
export const POLICY_MAX_LENGTH = 40_960;
export const POLICY_MAX_DEPTH = 32;

const str = (description: string, extra: JsonSchema = {}): JsonSchema => ({ type: 'string', description, ...extra });
const choice = (description: string, values: string[], extra: JsonSchema = {}): JsonSchema => str(description, { enum: values, ...extra });
const bool = (description: string): JsonSchema => ({ type: 'boolean', description });
const int64 = (description: string): JsonSchema => ({ type: 'integer', format: 'int64', minimum: 0, description });
const dateTime = (description: string): JsonSchema => str(description, { format: 'date-time' });
const obj = (description: string, properties: Record<string, JsonSchema>): JsonSchema => ({ type: 'object', description, properties });
const list = (description: string, items: JsonSchema): JsonSchema => ({ type: 'array', description, items });
const strings = (description: string, item: JsonSchema = { type: 'string' }): JsonSchema => list(description, item);

const ENABLED_DISABLED = ['Enabled', 'Disabled'];
const enabledDisabled = (description: string): JsonSchema => choice(`${description} Enabled or Disabled.`, ENABLED_DISABLED);

// ---- shapes used in several places -------------------------------------------------------------

const tag = (description = 'A tag: a key and a value.'): JsonSchema =>
  obj(description, {
    key: str('Tag key (1-128 characters).'),
    value: str('Tag value (0-256 characters).'),
  });
const tags = (description: string): JsonSchema => list(description, tag());

/** The prefix/tag/and filter of analytics, Intelligent-Tiering and replication configurations. */
const prefixTagFilter = (description: string): JsonSchema =>
  obj(description, {
    prefix: str('Only objects whose key starts with this prefix.'),
    tag: tag('Only objects that carry this tag.'),
    and: obj('Combine conditions: objects must match the prefix and every tag.', {
      prefix: str('Key prefix the objects must have.'),
      tags: tags('Tags the objects must all carry.'),
    }),
  });

const grantee = obj('Who receives the permission. Give type_ plus the matching id, uRI or emailAddress.', {
  type_: choice('The kind of grantee (ACK spells this key "type_").', ['CanonicalUser', 'AmazonCustomerByEmail', 'Group']),
  id: str('Canonical user id, for type_ CanonicalUser.'),
  uRI: str('Group URI for type_ Group, e.g. http://acs.amazonaws.com/groups/s3/LogDelivery (ACK spells this key "uRI").'),
  emailAddress: str('E-mail address, for type_ AmazonCustomerByEmail (only in some older regions).'),
  displayName: str('Display name; informational, S3 fills it in.'),
});

const STORAGE_CLASSES =
  'AWS values: STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, GLACIER_IR, GLACIER, DEEP_ARCHIVE. Not restricted, because S3-compatible stores define their own classes.';

const notificationFilter = obj('Which objects trigger the notification, by key name.', {
  key: obj('Conditions on the object key.', {
    filterRules: list(
      'At most one prefix rule and one suffix rule.',
      obj('One condition on the key.', {
        name: str('prefix or suffix.'),
        value: str('The prefix or suffix the key must have.'),
      }),
    ),
  }),
});

/** Fields shared by the three notification configuration kinds; `target` is the destination's ARN field. */
const notificationConfigurations = (kind: string, target: string, targetDescription: string): JsonSchema =>
  list(
    `Notifications delivered to ${kind}.`,
    obj(`One ${kind} notification.`, {
      id: str('Optional name of this notification; S3 generates one when omitted.'),
      events: strings('Event types that trigger it, e.g. s3:ObjectCreated:* or s3:ObjectRemoved:Delete.'),
      filter: notificationFilter,
      [target]: str(targetDescription),
    }),
  );

// ---- sub-resources ----------------------------------------------------------------------------

const lifecycleRule = obj('One lifecycle rule.', {
  id: str('Unique name of the rule (up to 255 characters); S3 generates one when omitted.'),
  status: enabledDisabled('Whether the rule is applied.'),
  prefix: str('Deprecated key prefix the rule applies to; prefer filter.prefix. Omit when filter is set.'),
  filter: obj('Which objects the rule applies to. An empty filter means every object.', {
    prefix: str('Only objects whose key starts with this prefix.'),
    tag: tag('Only objects that carry this tag.'),
    objectSizeGreaterThan: int64('Only objects larger than this many bytes.'),
    objectSizeLessThan: int64('Only objects smaller than this many bytes.'),
    and: obj('Combine conditions: objects must match all of them.', {
      prefix: str('Key prefix the objects must have.'),
      tags: tags('Tags the objects must all carry.'),
      objectSizeGreaterThan: int64('Objects must be larger than this many bytes.'),
      objectSizeLessThan: int64('Objects must be smaller than this many bytes.'),
    }),
  }),
  expiration: obj('When current object versions expire. Give one of days, date or expiredObjectDeleteMarker.', {
    days: int64('Days after creation at which objects expire (at least 1).'),
    date: dateTime('Date at which objects expire, midnight UTC, e.g. 2030-01-01T00:00:00Z.'),
    expiredObjectDeleteMarker: bool('Remove delete markers that have no noncurrent versions left (versioned buckets).'),
  }),
  transitions: list(
    'When current object versions move to another storage class.',
    obj('One transition. Give days or date.', {
      days: int64('Days after creation at which objects move.'),
      date: dateTime('Date at which objects move, midnight UTC, e.g. 2030-01-01T00:00:00Z.'),
      storageClass: str(`The storage class to move to. ${STORAGE_CLASSES}`),
    }),
  ),
  noncurrentVersionExpiration: obj('When noncurrent versions are deleted (versioned buckets).', {
    noncurrentDays: int64('Days after a version becomes noncurrent at which it is deleted.'),
    newerNoncurrentVersions: int64('How many newer noncurrent versions to keep (1-100) before this applies.'),
  }),
  noncurrentVersionTransitions: list(
    'When noncurrent versions move to another storage class.',
    obj('One noncurrent version transition.', {
      noncurrentDays: int64('Days after a version becomes noncurrent at which it moves.'),
      newerNoncurrentVersions: int64('How many newer noncurrent versions to keep (1-100) before this applies.'),
      storageClass: str(`The storage class to move to. ${STORAGE_CLASSES}`),
    }),
  ),
  abortIncompleteMultipartUpload: obj('Clean up multipart uploads that were never completed.', {
    daysAfterInitiation: int64('Days after initiation at which S3 aborts the upload and deletes its parts.'),
  }),
});

const replicationRule = obj('One replication rule.', {
  id: str('Unique name of the rule (up to 255 characters).'),
  priority: int64('Which rule wins when several match an object: the higher number. Needed with filter.'),
  status: enabledDisabled('Whether the rule is applied.'),
  prefix: str('Deprecated key prefix the rule applies to; prefer filter. Omit when filter is set.'),
  filter: prefixTagFilter('Which objects the rule applies to. An empty filter means every object.'),
  destination: obj('Where replicas go.', {
    bucket: str('ARN of the destination bucket, e.g. arn:aws:s3:::my-replica-bucket.'),
    account: str('Account id owning the destination bucket, when it is another account (needed with accessControlTranslation).'),
    storageClass: str(
      "Storage class of the replicas, e.g. STANDARD, STANDARD_IA, INTELLIGENT_TIERING, GLACIER_IR, GLACIER or DEEP_ARCHIVE; omit to keep the source object's. Not restricted, because S3-compatible stores define their own classes.",
    ),
    accessControlTranslation: obj('Make the destination bucket owner own the replicas.', {
      owner: choice('Destination (the only value).', ['Destination']),
    }),
    encryptionConfiguration: obj('How replicas of KMS-encrypted objects are encrypted.', {
      replicaKMSKeyID: str('ARN or id of the KMS key, in the destination region, used for replicas.'),
    }),
    metrics: obj('Replication metrics and events.', {
      status: enabledDisabled('Whether replication metrics are published.'),
      eventThreshold: obj('When an object counts as late for the missed-threshold event.', {
        minutes: int64('Minutes; S3 only accepts 15.'),
      }),
    }),
    replicationTime: obj('S3 Replication Time Control: replicate 99.99% of objects within 15 minutes.', {
      status: enabledDisabled('Whether Replication Time Control is on.'),
      time: obj('The time by which objects must be replicated.', {
        minutes: int64('Minutes; S3 only accepts 15.'),
      }),
    }),
  }),
  deleteMarkerReplication: obj('Whether delete markers are replicated (rules with a filter only).', {
    status: enabledDisabled('Replicate delete markers.'),
  }),
  existingObjectReplication: obj('Whether objects that existed before the rule are replicated (needs AWS Support to enable).', {
    status: enabledDisabled('Replicate existing objects.'),
  }),
  sourceSelectionCriteria: obj('Extra kinds of source objects to replicate.', {
    replicaModifications: obj('Replicate metadata changes made on replicas (two-way replication).', {
      status: enabledDisabled('Replicate replica modifications.'),
    }),
    sseKMSEncryptedObjects: obj('Replicate objects encrypted with KMS keys (needs destination.encryptionConfiguration).', {
      status: enabledDisabled('Replicate SSE-KMS objects.'),
    }),
  }),
});

const routingRule = obj('One redirect rule.', {
  condition: obj('When the rule applies. Omit to apply it to every request.', {
    httpErrorCodeReturnedEquals: str('Apply when S3 would answer with this HTTP error code, e.g. "404".'),
    keyPrefixEquals: str('Apply to requests for keys starting with this prefix, e.g. docs/.'),
  }),
  redirect: obj('Where the request is redirected.', {
    hostName: str("Host to redirect to; omit to keep the bucket's website host."),
    httpRedirectCode: str('HTTP status code of the redirect, e.g. "301" (default 301).'),
    protocol: choice("Protocol of the redirect: http or https; omit to keep the request's.", ['http', 'https']),
    replaceKeyPrefixWith: str('Replace the matched keyPrefixEquals with this prefix. Exclusive with replaceKeyWith.'),
    replaceKeyWith: str('Replace the whole key with this one. Exclusive with replaceKeyPrefixWith.'),
  }),
});

const analyticsConfiguration = obj('One storage class analysis configuration.', {
  id: str('Unique name of this configuration in the bucket.'),
  filter: prefixTagFilter('Which objects are analysed: exactly one of prefix, tag or and. Omit to analyse the whole bucket.'),
  storageClassAnalysis: obj('What to do with the analysis. Empty: analyse without exporting.', {
    dataExport: obj('Export the daily analysis.', {
      outputSchemaVersion: choice('Version of the export format: V_1.', ['V_1']),
      destination: obj('Where the export goes.', {
        s3BucketDestination: obj('The bucket that receives the export.', {
          bucket: str('ARN of the destination bucket.'),
          bucketAccountID: str('Account id expected to own the destination bucket.'),
          format: choice('File format: CSV.', ['CSV']),
          prefix: str('Key prefix of the exported files.'),
        }),
      }),
    }),
  }),
});

const intelligentTieringConfiguration = obj('One S3 Intelligent-Tiering archive configuration.', {
  id: str('Unique name of this configuration in the bucket.'),
  status: enabledDisabled('Whether the configuration is applied.'),
  filter: prefixTagFilter('Which objects it applies to. Omit for the whole bucket.'),
  tierings: list(
    'The archive tiers objects move to after days without access.',
    obj('One archive tier.', {
      accessTier: choice('ARCHIVE_ACCESS or DEEP_ARCHIVE_ACCESS.', ['ARCHIVE_ACCESS', 'DEEP_ARCHIVE_ACCESS']),
      days: int64('Consecutive days without access before moving (90-730 for ARCHIVE_ACCESS, 180-730 for DEEP_ARCHIVE_ACCESS).'),
    }),
  ),
});

const inventoryConfiguration = obj('One inventory report configuration.', {
  id: str('Unique name of this configuration in the bucket.'),
  isEnabled: bool('Whether the report is produced.'),
  filter: obj('Which objects are listed. Omit for the whole bucket.', {
    prefix: str('Only objects whose key starts with this prefix.'),
  }),
  includedObjectVersions: choice('All (every version) or Current (current versions only).', ['All', 'Current']),
  optionalFields: strings('Extra columns, e.g. Size, LastModifiedDate, StorageClass, ETag, EncryptionStatus, ReplicationStatus.'),
  schedule: obj('How often the report is produced.', {
    frequency: choice('Daily or Weekly.', ['Daily', 'Weekly']),
  }),
  destination: obj('Where the report goes.', {
    s3BucketDestination: obj('The bucket that receives the report.', {
      bucket: str('ARN of the destination bucket.'),
      accountID: str('Account id expected to own the destination bucket.'),
      format: choice('File format: CSV, ORC or Parquet.', ['CSV', 'ORC', 'Parquet']),
      prefix: str('Key prefix of the report files.'),
      encryption: obj('How the report files are encrypted.', {
        sseKMS: obj('Encrypt with a KMS key.', {
          keyID: str('ARN of the KMS key.'),
        }),
      }),
    }),
  }),
});

const metricsConfiguration = obj('One CloudWatch request metrics configuration.', {
  id: str('Unique name of this configuration in the bucket; also the metrics filter name in CloudWatch.'),
  filter: obj('Which requests are counted: exactly one of prefix, tag, accessPointARN or and. Omit for the whole bucket.', {
    prefix: str('Only objects whose key starts with this prefix.'),
    tag: tag('Only objects that carry this tag.'),
    accessPointARN: str('Only requests made through this access point.'),
    and: obj('Combine conditions: requests must match all of them.', {
      prefix: str('Key prefix the objects must have.'),
      tags: tags('Tags the objects must all carry.'),
      accessPointARN: str('Access point the requests must go through.'),
    }),
  }),
});

// ---- the spec ---------------------------------------------------------------------------------

const CANNED_ACLS = [
  'private',
  'public-read',
  'public-read-write',
  'authenticated-read',
  'aws-exec-read',
  'bucket-owner-read',
  'bucket-owner-full-control',
  'log-delivery-write',
];
const GRANT =
  'Comma-separated grantees in S3 header form, e.g. id="<canonical-user-id>", uri="http://acs.amazonaws.com/groups/s3/LogDelivery" or emailAddress="x@example.com". Omit to leave it unmanaged.';

export const specSchema: JsonSchema = {
  type: 'object',
  description:
    "The bucket as it should be. A field left out is not managed: the hook neither reads nor changes it. Field names and shapes follow ACK's Bucket.",
  properties: {
    abac: obj('Attribute-based access control for the bucket. Omit to leave it unmanaged; to turn it off use status Disabled.', {
      status: enabledDisabled('Whether ABAC is on.'),
    }),
    accelerate: obj('S3 Transfer Acceleration. Omit to leave it unmanaged; to turn it off use status Suspended.', {
      status: choice('Enabled or Suspended.', ['Enabled', 'Suspended']),
    }),
    acl: choice(
      'Canned ACL: private, public-read, public-read-write, authenticated-read, aws-exec-read, bucket-owner-read, bucket-owner-full-control or log-delivery-write. The joined form "private|bucket-owner-read|bucket-owner-full-control", which ACK writes back for a private bucket, is accepted and means private. While object ownership is BucketOwnerEnforced (the S3 default) S3 refuses any ACL but private and bucket-owner-full-control. Omit to leave the ACL unmanaged; to reset it use private.',
      [...CANNED_ACLS, 'private|bucket-owner-read|bucket-owner-full-control'],
    ),
    analytics: list(
      'Storage class analysis configurations, one per id. Omit to leave them unmanaged; analytics: [] removes all of them, and an id no longer listed is removed.',
      analyticsConfiguration,
    ),
    cors: obj('Cross-origin resource sharing. Omit to leave it unmanaged; to remove it use cors: {corsRules: []}.', {
      corsRules: list(
        'The CORS rules (at most 100).',
        obj('One CORS rule.', {
          id: str('Optional name of the rule (up to 255 characters).'),
          allowedMethods: strings('HTTP methods allowed from the origins; required.', choice('An HTTP method.', ['GET', 'PUT', 'POST', 'DELETE', 'HEAD'])),
          allowedOrigins: strings('Origins allowed to make requests, e.g. https://example.com, with at most one "*" each; required.'),
          allowedHeaders: strings('Headers allowed in preflight Access-Control-Request-Headers, "*" for any.'),
          exposeHeaders: strings('Response headers the browser may expose to the application, e.g. ETag.'),
          maxAgeSeconds: int64('How long, in seconds, a browser may cache the preflight response.'),
        }),
      ),
    }),
    createBucketConfiguration: obj('Sent when the bucket is created, never compared or changed afterwards.', {
      locationConstraint: str('The region to create the bucket in; must match the region the hook uses for this resource (omit for us-east-1).'),
      location: obj('Directory buckets: the zone the bucket lives in.', {
        name: str('Zone id, e.g. usw2-az1.'),
        type: choice('AvailabilityZone or LocalZone.', ['AvailabilityZone', 'LocalZone']),
      }),
      bucket: obj('Directory buckets: the kind of bucket.', {
        dataRedundancy: choice('SingleAvailabilityZone or SingleLocalZone.', ['SingleAvailabilityZone', 'SingleLocalZone']),
        type: choice('Directory.', ['Directory']),
      }),
    }),
    encryption: obj("Default encryption of new objects. Omit to leave it unmanaged; encryption: {rules: []} resets it to S3's default, SSE-S3 (AES256).", {
      rules: list(
        'The default encryption rule (S3 takes exactly one).',
        obj('One default encryption rule.', {
          applyServerSideEncryptionByDefault: obj('The encryption applied to objects stored without their own.', {
            sseAlgorithm: choice('AES256 (SSE-S3), aws:kms (SSE-KMS), aws:kms:dsse (DSSE-KMS), or the service-specific aws:fsx and aws:backup.', [
              'AES256',
              'aws:kms',
              'aws:kms:dsse',
              'aws:fsx',
              'aws:backup',
            ]),
            kmsMasterKeyID: str('KMS key id, ARN or alias for aws:kms and aws:kms:dsse; omit for the AWS managed key aws/s3.'),
          }),
          bucketKeyEnabled: bool('Use an S3 Bucket Key to reduce KMS requests (SSE-KMS only).'),
        }),
      ),
    }),
    grantFullControl: str(`Grantees given READ, WRITE, READ_ACP and WRITE_ACP on the bucket. ${GRANT}`),
    grantRead: str(`Grantees allowed to list the bucket's objects. ${GRANT}`),
    grantReadACP: str(`Grantees allowed to read the bucket ACL. ${GRANT}`),
    grantWrite: str(`Grantees allowed to create objects in the bucket. ${GRANT}`),
    grantWriteACP: str(`Grantees allowed to change the bucket ACL. ${GRANT}`),
    intelligentTiering: list(
      'S3 Intelligent-Tiering archive configurations, one per id. Omit to leave them unmanaged; intelligentTiering: [] removes all of them, and an id no longer listed is removed.',
      intelligentTieringConfiguration,
    ),
    inventory: list(
      'Inventory report configurations, one per id. Omit to leave them unmanaged; inventory: [] removes all of them, and an id no longer listed is removed.',
      inventoryConfiguration,
    ),
    lifecycle: obj('Lifecycle rules: expiration and storage class transitions. Omit to leave them unmanaged; to remove them use lifecycle: {rules: []}.', {
      rules: list('The lifecycle rules (at most 1000).', lifecycleRule),
    }),
    logging: obj('Server access logging. Omit to leave it unmanaged; logging: {} (no loggingEnabled) turns logging off.', {
      loggingEnabled: obj('Where access logs are delivered. The target bucket must allow the S3 logging service to write.', {
        targetBucket: str('Name of the bucket that receives the logs (same region and account owner).'),
        targetPrefix: str('Key prefix of the log objects, e.g. logs/my-bucket/.'),
        targetGrants: list(
          'Extra permissions on the log objects (not allowed when the target bucket uses BucketOwnerEnforced).',
          obj('One permission on the log objects.', {
            grantee,
            permission: choice('FULL_CONTROL, READ or WRITE.', ['FULL_CONTROL', 'READ', 'WRITE']),
          }),
        ),
      }),
    }),
    metrics: list(
      'CloudWatch request metrics configurations, one per id. Omit to leave them unmanaged; metrics: [] removes all of them, and an id no longer listed is removed.',
      metricsConfiguration,
    ),
    name: str('The S3 bucket name: 3-63 lowercase letters, digits, dots and hyphens, globally unique. Immutable.', {
      minLength: 3,
      maxLength: 63,
      // S3's naming rules (reconciler/bucket-name.ts words them the same way), so that `kubectl apply` refuses a
      // bad name at once instead of storing a Bucket that can only ever be InvalidSpec.
      'x-kubernetes-validations': [
        { rule: 'self == oldSelf', message: 'Value is immutable once set' },
        { rule: "self.matches('^[a-z0-9.-]+$')", message: 'S3 bucket names may contain only lowercase letters, digits, dots (.) and hyphens (-)' },
        { rule: "self.matches('^[a-z0-9].*[a-z0-9]$')", message: 'S3 bucket names must begin and end with a lowercase letter or a digit' },
        {
          rule: "!self.contains('..') && !self.contains('.-') && !self.contains('-.')",
          message: 'S3 bucket names must not contain two adjacent dots, or a dot next to a hyphen',
        },
        { rule: "!self.matches('^[0-9]{1,3}[.][0-9]{1,3}[.][0-9]{1,3}[.][0-9]{1,3}$')", message: 'S3 bucket names must not be formatted as an IP address' },
      ],
    }),
    namespace: choice(
      'The bucket namespace: global (the default) or account-regional, for names unique within the account and region. Sent when the bucket is created. Immutable.',
      ['global', 'account-regional'],
      { 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'Value is immutable once set' }] },
    ),
    notification: obj('Event notifications to Lambda, SQS and SNS. Omit to leave them unmanaged; notification: {} removes all notifications.', {
      lambdaFunctionConfigurations: notificationConfigurations(
        'Lambda functions',
        'lambdaFunctionARN',
        'ARN of the Lambda function to invoke (it must allow S3 to invoke it).',
      ),
      queueConfigurations: notificationConfigurations('SQS queues', 'queueARN', 'ARN of the SQS queue (its policy must allow S3 to send messages).'),
      topicConfigurations: notificationConfigurations('SNS topics', 'topicARN', 'ARN of the SNS topic (its policy must allow S3 to publish).'),
    }),
    objectLockConfiguration: obj(
      'Default retention of new object versions, for buckets with Object Lock enabled (see objectLockEnabledForBucket). Omit to leave it unmanaged; objectLockConfiguration: {} removes the default retention (Object Lock itself stays on).',
      {
        rule: obj('The default retention rule.', {
          defaultRetention: obj('Retention applied to new object versions. Give days or years, not both.', {
            mode: choice('GOVERNANCE (users with a special permission may shorten it) or COMPLIANCE (nobody can, not even root).', [
              'GOVERNANCE',
              'COMPLIANCE',
            ]),
            days: int64('Retention period in days.'),
            years: int64('Retention period in years.'),
          }),
        }),
      },
    ),
    objectLockEnabledForBucket: bool(
      'true enables S3 Object Lock on the bucket (needs versioning Enabled). Object Lock can never be turned off, so false does not disable it once on.',
    ),
    objectOwnership: choice(
      "Object ownership sent when the bucket is created (S3's default is BucketOwnerEnforced, which disables ACLs). To change it later use ownershipControls.",
      ['BucketOwnerEnforced', 'BucketOwnerPreferred', 'ObjectWriter'],
    ),
    ownershipControls: obj(
      'Object ownership of the bucket. Omit to leave it unmanaged; ownershipControls: {rules: []} removes the setting (S3 then behaves as ObjectWriter).',
      {
        rules: list(
          'The ownership rule (S3 takes exactly one).',
          obj('One ownership rule.', {
            objectOwnership: choice('BucketOwnerEnforced (ACLs disabled, the bucket owner owns every object), BucketOwnerPreferred or ObjectWriter.', [
              'BucketOwnerEnforced',
              'BucketOwnerPreferred',
              'ObjectWriter',
            ]),
          }),
        ),
      },
    ),
    policy: str(
      `The bucket policy as a JSON document in a string; compared semantically, not as text. Omit to leave it unmanaged; policy: "" deletes the bucket policy. At most ${POLICY_MAX_LENGTH} characters (S3 takes 20 KB) and ${POLICY_MAX_DEPTH} levels of nesting (a policy needs about 6; checked by the hook).`,
      { maxLength: POLICY_MAX_LENGTH },
    ),
    publicAccessBlock: obj(
      'Block Public Access settings of the bucket. Omit to leave them unmanaged (S3 blocks everything by default); to remove them set all four to false.',
      {
        blockPublicACLs: bool('Reject requests that set public ACLs (ACK spells it "ACLs").'),
        ignorePublicACLs: bool('Ignore public ACLs on the bucket and its objects (ACK spells it "ACLs").'),
        blockPublicPolicy: bool('Reject bucket policies that grant public access.'),
        restrictPublicBuckets: bool("Restrict access to a public bucket to AWS services and the owner's account."),
      },
    ),
    replication: obj(
      'Replication of new objects to other buckets; needs versioning Enabled on both sides. Omit to leave it unmanaged; to remove it use replication: {rules: []}.',
      {
        role: str('ARN of the IAM role S3 assumes to replicate objects.'),
        roleRef: obj(
          'ACK reference to an iam.services.k8s.aws Role resource instead of role. Accepted for compatibility; this hook does not resolve references, so set role.',
          {
            from: obj('The referenced resource.', {
              name: str('Name of the Role resource.'),
              namespace: str("Namespace of the Role resource; defaults to the Bucket's."),
            }),
          },
        ),
        rules: list('The replication rules (at most 1000).', replicationRule),
      },
    ),
    requestPayment: obj('Requester Pays. Omit to leave it unmanaged; to turn it off use payer BucketOwner.', {
      payer: choice('BucketOwner or Requester: who pays for requests and data transfer.', ['BucketOwner', 'Requester']),
    }),
    tagging: obj("The bucket's tags. Omit to leave tags unmanaged; tagging: {tagSet: []} removes every tag but the hook's ownership tags.", {
      tagSet: list('The tags (at most 47: S3 allows 50 and 3 mark ownership). Keys under "aws:" and "services.k8s.aws/" are reserved.', tag()),
    }),
    versioning: obj('Object versioning. Omit to leave it unmanaged. Once Enabled it can only be Suspended, never removed.', {
      status: choice('Enabled or Suspended.', ['Enabled', 'Suspended']),
    }),
    website: obj('Static website hosting. Omit to leave it unmanaged; website: {} turns website hosting off.', {
      indexDocument: obj('The page served for requests to a directory.', {
        suffix: str('Suffix appended to directory requests, e.g. index.html (no slashes).'),
      }),
      errorDocument: obj('The page served for 4XX errors.', {
        key: str('Key of the error page, e.g. error.html.'),
      }),
      redirectAllRequestsTo: obj('Redirect every request to another host instead of serving content. Exclusive with the other website fields.', {
        hostName: str('Host to redirect to.'),
        protocol: choice("http or https; omit to keep the request's.", ['http', 'https']),
      }),
      routingRules: list('Conditional redirects, checked in order.', routingRule),
    }),
  },
};

const condition: JsonSchema = {
  type: 'object',
  required: ['type', 'status'],
  properties: {
    type: str('Ready, ACK.ResourceSynced, ACK.Terminal or ACK.Recoverable.'),
    status: str('True, False or Unknown.'),
    reason: str('A stable CamelCase reason (see the README).'),
    message: str('What happened, which S3 call, and what to do.'),
    lastTransitionTime: str('When status or reason last changed.', { format: 'date-time' }),
  },
};

export const statusSchema: JsonSchema = {
  type: 'object',
  description: "What the hook observed. Written by Metacontroller from the hook's answer.",
  properties: {
    ackResourceMetadata: {
      type: 'object',
      properties: {
        arn: str('The bucket ARN, once the bucket exists and is managed by this resource.'),
        ownerAccountID: str('The AWS account id, when the hook is configured with AWS_ACCOUNT_ID.'),
        partition: str('The AWS partition.'),
        region: str('The region the bucket lives in (or will).'),
      },
    },
    claim: {
      type: 'object',
      description:
        "The hook's signed claim on the bucket name, made before it created the bucket: what lets a create interrupted before the bucket was tagged finish after a crash. Only the hook can make one (its claim key); one it cannot verify is ignored.",
      properties: {
        bucket: str('The bucket name claimed.'),
        time: str('When the hook claimed the name.', { format: 'date-time' }),
        proof: str("The hook's signature over this resource, the bucket and the time."),
      },
    },
    conditions: { type: 'array', items: condition },
    location: str('A forward slash followed by the name of the bucket.'),
    observedGeneration: { type: 'integer', format: 'int64', description: 'The generation this status describes.' },
    lastCheck: {
      type: 'object',
      description:
        'The last full check against S3. Until the drift-check interval has passed, a sync whose inputs have the same hash answers this status without calling S3. Changes at most once per check.',
      properties: {
        time: str('When S3 was last read in full for this resource.', { format: 'date-time' }),
        inputHash: str('A hash of what the check depended on: the spec, the annotations the hook reads, and the hook version.'),
      },
    },
    emptying: {
      type: 'object',
      description:
        'Deleting with the annotation s3.services.k8s.aws/empty-on-delete: "true": how far emptying the bucket has come, over every finalize call so far.',
      properties: {
        objectsDeleted: { type: 'integer', format: 'int64', description: 'Object versions and delete markers deleted.' },
        uploadsAborted: { type: 'integer', format: 'int64', description: 'Unfinished multipart uploads aborted.' },
      },
    },
    driftCorrections: {
      type: 'object',
      description:
        "The hook's memory of its recent drift corrections: a field put back to the spec DRIFT_LOOP_CORRECTIONS times within DRIFT_LOOP_WINDOW_SECONDS that drifts again is no longer written (condition reason DriftLoop) until the annotation s3.services.k8s.aws/requested-at changes.",
      required: ['fields'],
      properties: {
        requestedAt: str("The requested-at annotation's value this memory was made under: a new value starts it over."),
        fields: {
          type: 'array',
          items: {
            type: 'object',
            required: ['field', 'times'],
            properties: {
              field: str('The spec path, e.g. spec.versioning.'),
              times: { type: 'array', items: str('When the hook put the field back.', { format: 'date-time' }) },
              blockedAt: str('When the hook stopped writing the field (a drift loop).', { format: 'date-time' }),
            },
          },
        },
      },
    },
    plan: {
      type: 'object',
      description:
        'Only while writes wait for approval (annotation s3.services.k8s.aws/approval: required, or APPROVAL_NAMESPACES): the S3 writes the hook would make, in order. Approve exactly these with the annotation s3.services.k8s.aws/approved-plan=<hash>.',
      required: ['hash', 'writes'],
      properties: {
        hash: str('A hash of the writes with their full values: the value to approve.'),
        writes: {
          type: 'array',
          items: {
            type: 'object',
            required: ['call', 'field', 'summary'],
            properties: {
              call: str('The S3 API call, e.g. PutBucketVersioning.'),
              field: str('What it writes: a spec path, or the annotation that asks for it.'),
              summary: str('What the call does, its value shortened.'),
            },
          },
        },
      },
    },
    appliedPlan: str('The hash of the last approved plan the hook carried out: an approval is used once.'),
  },
};
