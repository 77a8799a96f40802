// The Metacontroller CompositeController request envelope (a malformed one is answered 4xx). Only what the hook reads is constrained;
// everything else Metacontroller sends (controller, managedFields, children...) passes through.
import { DNS1123_LABEL, DNS1123_LABEL_MAX, DNS1123_SUBDOMAIN, DNS1123_SUBDOMAIN_MAX, UID_MAX, UID_PATTERN } from '../reconciler/rules/kube-names.js';
import type { JsonSchema } from '../schema/bucket-schema.js';

export const envelopeSchema: JsonSchema = {
  type: 'object',
  required: ['parent'],
  properties: {
    controller: { type: 'object' },
    parent: {
      type: 'object',
      required: ['apiVersion', 'kind', 'metadata'],
      properties: {
        apiVersion: { type: 'string' },
        kind: { type: 'string' },
        metadata: {
          type: 'object',
          // A Bucket is namespaced: its namespace is part of its identity (ownership tags, claims).
          required: ['name', 'uid', 'namespace'],
          properties: {
            // Kubernetes names, as the API server would have them: they become the bucket's ownership tags
            // and claims, which other tools read back (npm run import prints them as YAML).
            name: { type: 'string', minLength: 1, maxLength: DNS1123_SUBDOMAIN_MAX, pattern: DNS1123_SUBDOMAIN },
            namespace: { type: 'string', minLength: 1, maxLength: DNS1123_LABEL_MAX, pattern: DNS1123_LABEL },
            uid: { type: 'string', minLength: 1, maxLength: UID_MAX, pattern: UID_PATTERN },
            generation: { type: 'integer', minimum: 0 },
            annotations: { type: 'object', additionalProperties: { type: 'string' } },
            deletionTimestamp: { type: 'string' },
          },
        },
        // Spec problems are the user's to fix: they are answered with 200 and an InvalidSpec condition,
        // so the spec is checked by the reconciler, not here. A malformed status is ignored there too.
        spec: {},
        status: {},
      },
    },
    children: { type: 'object' },
    related: { type: 'object' },
    finalizing: { type: 'boolean' },
  },
};
