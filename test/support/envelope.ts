// Builds request bodies shaped exactly like Metacontroller's CompositeController hook requests
// (see shared/metacontroller-contract.md section 5), for tests and for recording hooks/ files.
import type { BucketResource, BucketStatus } from '../../src/reconciler/model/resource.js';

export const CONTROLLER_NAME = 'bucket-hook';
export const FINALIZER = `metacontroller.io/compositecontroller-${CONTROLLER_NAME}`;

export interface BucketInput {
  namespace?: string;
  name?: string;
  uid?: string;
  generation?: number;
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  spec?: Record<string, unknown>;
  status?: BucketStatus;
  /**
   * Tests stand for a later full drift check by default, so the status's lastCheck (which would let
   * the hook answer without S3) is dropped; set this to keep it, as Metacontroller's echo would.
   */
  keepLastCheck?: boolean;
  deletionTimestamp?: string;
}

/** The status without its lastCheck stamp, for comparing the outcome of two full checks. */
export function withoutLastCheck(status: BucketStatus): BucketStatus {
  const { lastCheck: _dropped, ...rest } = status;
  return rest;
}

/** What `kubectl apply` leaves on an object: the last-applied annotation and a managedFields history. */
function appliedMetadata(input: BucketInput, spec: Record<string, unknown>): Record<string, unknown> {
  const name = input.name ?? 'artifacts';
  const namespace = input.namespace ?? 'team-a';
  const annotations = { ...(input.annotations ?? {}) };
  const applied = { apiVersion: 's3.services.k8s.aws/v1alpha1', kind: 'Bucket', metadata: { annotations, name, namespace }, spec };
  const fieldsOf = (o: Record<string, unknown>): Record<string, unknown> =>
    Object.fromEntries([
      ['.', {}],
      ...Object.entries(o).map(([k, v]): [string, unknown] => [
        `f:${k}`,
        typeof v === 'object' && v !== null && !Array.isArray(v) ? fieldsOf(v as Record<string, unknown>) : {},
      ]),
    ]);
  const managedFields: Array<Record<string, unknown>> = [
    {
      apiVersion: 's3.services.k8s.aws/v1alpha1',
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': { 'f:annotations': fieldsOf({ ...annotations, 'kubectl.kubernetes.io/last-applied-configuration': '' }) },
        'f:spec': fieldsOf(spec),
      },
      manager: 'kubectl-client-side-apply',
      operation: 'Update',
      time: '2026-11-24T09:00:00Z',
    },
    {
      apiVersion: 's3.services.k8s.aws/v1alpha1',
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:metadata': { 'f:finalizers': { '.': {}, [`v:"${FINALIZER}"`]: {} } } },
      manager: 'metacontroller',
      operation: 'Update',
      time: '2026-11-24T09:00:01Z',
    },
  ];
  if (input.status) {
    managedFields.push({
      apiVersion: 's3.services.k8s.aws/v1alpha1',
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:status': fieldsOf(input.status as Record<string, unknown>) },
      manager: 'metacontroller',
      operation: 'Update',
      subresource: 'status',
      time: '2026-11-24T09:00:02Z',
    });
  }
  return {
    annotations: { ...annotations, 'kubectl.kubernetes.io/last-applied-configuration': `${JSON.stringify(applied)}\n` },
    managedFields,
  };
}

export function bucketResource(input: BucketInput = {}): BucketResource {
  const spec = input.spec ?? { name: 'team-a-artifacts-7f3c' };
  const metadata: BucketResource['metadata'] & Record<string, unknown> = {
    name: input.name ?? 'artifacts',
    namespace: input.namespace ?? 'team-a',
    uid: input.uid ?? '7d4f9a52-1c3e-4b8a-9f0e-2a6b5c8d1e01',
    generation: input.generation ?? 1,
    resourceVersion: String(4711 + (input.generation ?? 1) * 7 + (input.status ? 3 : 0)),
    creationTimestamp: '2026-11-24T09:00:00Z',
    finalizers: [FINALIZER],
    ...appliedMetadata(input, spec),
  };
  if (input.labels) metadata.labels = input.labels;
  if (input.deletionTimestamp) {
    metadata.deletionTimestamp = input.deletionTimestamp;
    metadata.deletionGracePeriodSeconds = 0;
  }
  const resource: BucketResource = {
    apiVersion: 's3.services.k8s.aws/v1alpha1',
    kind: 'Bucket',
    metadata,
    spec,
  };
  if (input.status) resource.status = input.keepLastCheck ? input.status : withoutLastCheck(input.status);
  return resource;
}

export function controller(): Record<string, unknown> {
  return {
    apiVersion: 'metacontroller.k8s.io/v1alpha1',
    kind: 'CompositeController',
    metadata: {
      name: CONTROLLER_NAME,
      uid: '0b6a3c8e-5d2f-4e1a-8c7b-9f0d1e2a3b4c',
      resourceVersion: '1187',
      generation: 1,
      creationTimestamp: '2026-11-20T09:00:00Z',
    },
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

/** Go writes unstructured maps with sorted keys; so do we, so recorded bodies read like the real thing. */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
  );
}
