// The coordinates ConfigMap on the configmaps install (manifests/overlays/configmaps): created once the Bucket
// is Ready, owned by it (controller reference, Metacontroller's controller-uid label), readable by an app;
// a ConfigMap of that name the Bucket does not own is left alone; and once the Bucket is gone, the garbage
// collector of the real kube-controller-manager removes what it owned.
import t from 'tap';
import { bucketPath, condition, isReady, kubectl, kubectlOk, waitForObject } from './support/cluster.js';
import { resourcePath, type KubeObject } from './support/kube-client.js';
import { clusterSuite } from './support/suite.js';

t.test('the coordinates ConfigMap: created, owned, collected', async (t) => {
  const s = await clusterSuite(t, { kustomization: 'manifests/overlays/configmaps' });
  const ns = s.namespace('apps');
  const name = s.bucket('coords');
  const bucket = (n: string, configMap: string, bucketName: string): string =>
    JSON.stringify({
      apiVersion: 's3.services.k8s.aws/v1alpha1',
      kind: 'Bucket',
      metadata: { name: n, namespace: ns, annotations: { 's3.services.k8s.aws/coordinates-configmap': configMap } },
      spec: { name: bucketName },
    });
  kubectlOk(s.env, ['apply', '-f', '-'], { input: bucket('assets', 'assets-s3', name) });
  const ready = await waitForObject(s.api, bucketPath(ns, 'assets'), isReady, 60_000, 'Ready');
  const cmPath = resourcePath('v1', 'configmaps', ns, 'assets-s3');
  const cm = await waitForObject<KubeObject & { data?: Record<string, string> }>(s.api, cmPath, (o) => o !== undefined, 30_000, 'the ConfigMap');
  t.equal(cm?.data?.BUCKET_NAME, name);
  t.equal(cm?.data?.AWS_REGION, s.rgw.region);
  t.equal(cm?.data?.BUCKET_ARN, `arn:aws:s3:::${name}`);
  t.equal(cm?.data?.AWS_ENDPOINT_URL_S3, s.rgw.endpoint);
  t.same(
    cm?.metadata.ownerReferences,
    [{ apiVersion: 's3.services.k8s.aws/v1alpha1', kind: 'Bucket', name: 'assets', uid: ready!.metadata.uid, controller: true, blockOwnerDeletion: true }],
    'owned by the Bucket',
  );
  t.equal(cm?.metadata.labels?.['controller-uid'], ready!.metadata.uid, "Metacontroller's selector label");
  const after = await waitForObject(s.api, bucketPath(ns, 'assets'), (o) => condition(o, 'ConfigMapReady')?.status === 'True', 30_000, 'ConfigMapReady');
  t.equal(condition(after, 'ConfigMapReady')?.reason, 'Published');

  // Someone else's ConfigMap of the name a second Bucket asks for: left alone, and the Bucket says so.
  kubectlOk(s.env, ['-n', ns, 'create', 'configmap', 'taken-s3', '--from-literal=owner=team-b']);
  kubectlOk(s.env, ['apply', '-f', '-'], { input: bucket('other', 'taken-s3', s.bucket('coords')) });
  const refused = await waitForObject(s.api, bucketPath(ns, 'other'), (o) => condition(o, 'ConfigMapReady')?.status === 'False', 60_000, 'ConfigMapNameTaken');
  t.equal(condition(refused, 'ConfigMapReady')?.reason, 'ConfigMapNameTaken');
  t.equal(kubectlOk(s.env, ['-n', ns, 'get', 'configmap', 'taken-s3', '-o', 'jsonpath={.data.owner}']), 'team-b', 'the foreign ConfigMap is untouched');

  // The garbage collector: with Metacontroller stopped and the finalizer removed by hand, deleting the Bucket
  // leaves its ConfigMap to kube-controller-manager, which removes it through the owner reference.
  await s.mc.stop();
  kubectlOk(s.env, ['-n', ns, 'patch', 'bucket', 'assets', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
  kubectlOk(s.env, ['-n', ns, 'delete', 'bucket', 'assets']);
  const gone = await waitForObject(s.api, cmPath, (o) => o === undefined, 60_000, 'the ConfigMap collected');
  t.equal(gone, undefined, 'collected by the garbage collector');
  t.equal(kubectl(s.env, ['-n', ns, 'get', 'configmap', 'taken-s3']).code, 0, 'the foreign one stays');
});
