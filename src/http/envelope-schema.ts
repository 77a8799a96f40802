// The Metacontroller CompositeController request envelope (a malformed one is answered 4xx). Only what the hook reads is constrained;
// everything else Metacontroller sends (controller, managedFields, children...) passes through.
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
          required: ['name', 'uid'],
          properties: {
            name: { type: 'string', minLength: 1 },
            namespace: { type: 'string' },
            uid: { type: 'string', minLength: 1 },
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
