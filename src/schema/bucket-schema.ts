// The one source of the Bucket schema: ajv validates hook requests with it at run time, and
// `npm run manifests` writes it into the CRD's openAPIV3Schema (test/manifests checks they agree).
// Only keywords that are valid in a Kubernetes structural schema are used.

export type JsonSchema = Record<string, unknown>;

const str = (description: string, extra: JsonSchema = {}): JsonSchema => ({ type: 'string', description, ...extra });

const tag: JsonSchema = {
  type: 'object',
  description: 'A tag: a key and a value.',
  properties: {
    key: str('Tag key (1-128 characters). Keys under "aws:" and "services.k8s.aws/" are reserved.'),
    value: str('Tag value (0-256 characters).'),
  },
};

export const specSchema: JsonSchema = {
  type: 'object',
  description: 'The bucket as it should be. A field left out is not managed: the hook neither reads nor changes it.',
  properties: {
    name: str('The S3 bucket name: 3-63 lowercase letters, digits, dots and hyphens, globally unique. Immutable.', {
      'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'Value is immutable once set' }],
    }),
    createBucketConfiguration: {
      type: 'object',
      description: 'Used when the bucket is created, never compared afterwards.',
      properties: {
        locationConstraint: str('The region to create the bucket in; must match the region the hook uses for this resource (omit for us-east-1).'),
      },
      'x-kubernetes-preserve-unknown-fields': true,
    },
    tagging: {
      type: 'object',
      description: 'The bucket\'s tags. tagSet: [] removes every tag but the hook\'s ownership tags. Omit to leave tags unmanaged.',
      properties: {
        tagSet: { type: 'array', description: 'The tags (at most 47: S3 allows 50 and 3 mark ownership).', items: tag },
      },
    },
    versioning: {
      type: 'object',
      description: 'Object versioning. Once Enabled, S3 can only Suspend it, never unset it.',
      properties: {
        status: str('Enabled or Suspended.', { enum: ['Enabled', 'Suspended'] }),
      },
    },
  },
  // The rest of ACK's Bucket spec is accepted and kept until this hook manages it.
  'x-kubernetes-preserve-unknown-fields': true,
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
  description: 'What the hook observed. Written by Metacontroller from the hook\'s answer.',
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
    conditions: { type: 'array', items: condition },
    location: str('A forward slash followed by the name of the bucket.'),
    observedGeneration: { type: 'integer', format: 'int64', description: 'The generation this status describes.' },
  },
};
