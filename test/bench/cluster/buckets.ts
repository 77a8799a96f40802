// Applying and deleting Buckets as a user does (a POST and a DELETE to the API server, the admin's identity),
// a bounded number at a time, and the Bucket every figure of the real control plane uses.
import { bucketPath } from '../../cluster/support/cluster.js';
import type { KubeClient } from '../../cluster/support/kube-client.js';

/**
 * Versioning only: ACK's s3-controller v1.14.0 sends a Bucket's tags inside CreateBucketConfiguration,
 * which RGW 16.2 refuses (400 InvalidArgument), so the same Buckets for the hook and for the peer carry
 * none. The hook tags every bucket it creates for ownership all the same.
 */
export function benchSpec(bucketName: string): Record<string, unknown> {
  return { name: bucketName, versioning: { status: 'Enabled' } };
}

export async function createBucket(api: KubeClient, namespace: string, name: string, spec: Record<string, unknown>): Promise<void> {
  await api.must('POST', bucketPath(namespace), { apiVersion: 's3.services.k8s.aws/v1alpha1', kind: 'Bucket', metadata: { name, namespace }, spec });
}

export async function deleteBucket(api: KubeClient, namespace: string, name: string): Promise<void> {
  const res = await api.request('DELETE', bucketPath(namespace, name));
  if (res.status >= 300 && res.status !== 404) throw new Error(`DELETE bucket ${namespace}/${name}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
}

/** Runs fn over items, `concurrency` at a time, in order. */
export async function inParallel<T>(items: T[], concurrency: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

export async function createNamespace(api: KubeClient, name: string): Promise<void> {
  const res = await api.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  if (res.status >= 300 && res.status !== 409) throw new Error(`POST namespace ${name}: ${res.status}`);
}

export async function deleteNamespace(api: KubeClient, name: string): Promise<void> {
  await api.request('DELETE', `/api/v1/namespaces/${name}`);
}
