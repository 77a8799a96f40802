// Builds request bodies shaped exactly like Metacontroller's CompositeController hook requests
// (see shared/metacontroller-contract.md section 5), for tests and for recording hooks/ files.
import type { BucketResource, BucketStatus } from '../../src/reconciler/resource.js';

export const CONTROLLER_NAME = 'bucket-hook';
export const FINALIZER = `metacontroller.io/compositecontroller-${CONTROLLER_NAME}`;

export interface BucketInput {
  namespace?: string;
  name?: string;
  uid?: string;
  generation?: number;
  annotations?: Record<string, string>;
  spec?: Record<string, unknown>;
  status?: BucketStatus;
  deletionTimestamp?: string;
}

export function bucketResource(input: BucketInput = {}): BucketResource {
  const metadata: BucketResource['metadata'] & Record<string, unknown> = {
    name: input.name ?? 'artifacts',
    namespace: input.namespace ?? 'team-a',
    uid: input.uid ?? '7d4f9a52-1c3e-4b8a-9f0e-2a6b5c8d1e01',
    generation: input.generation ?? 1,
    resourceVersion: '4711',
    creationTimestamp: '2026-11-24T09:00:00Z',
    finalizers: [FINALIZER],
  };
  if (input.annotations) metadata.annotations = input.annotations;
  if (input.deletionTimestamp) {
    metadata.deletionTimestamp = input.deletionTimestamp;
    metadata.deletionGracePeriodSeconds = 0;
  }
  const resource: BucketResource = {
    apiVersion: 's3.services.k8s.aws/v1alpha1',
    kind: 'Bucket',
    metadata,
    spec: input.spec ?? { name: 'team-a-artifacts-7f3c' },
  };
  if (input.status) resource.status = input.status;
  return resource;
}

export function controller(): Record<string, unknown> {
  return {
    apiVersion: 'metacontroller.k8s.io/v1alpha1',
    kind: 'CompositeController',
    metadata: { name: CONTROLLER_NAME, uid: '0b6a3c8e-5d2f-4e1a-8c7b-9f0d1e2a3b4c', resourceVersion: '1187', generation: 1, creationTimestamp: '2026-11-20T09:00:00Z' },
    spec: {
      generateSelector: true,
      parentResource: { apiVersion: 's3.services.k8s.aws/v1alpha1', resource: 'buckets' },
      resyncPeriodSeconds: 600,
      hooks: {
        sync: { webhook: { url: 'http://bucket-hook.bucket-system:8080/sync', timeout: '30s' }, version: 'v1' },
        finalize: { webhook: { url: 'http://bucket-hook.bucket-system:8080/finalize', timeout: '30s' }, version: 'v1' },
      },
    },
    status: {},
  };
}

export function envelope(parent: BucketResource, finalizing = false): Record<string, unknown> {
  return { controller: controller(), parent, children: {}, related: {}, finalizing };
}
