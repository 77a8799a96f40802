// One IAM role per team on the real control plane: the customize hook names the Bucket's Namespace and every
// IAMRoleSelector (cluster-scoped related objects of a namespaced parent), Metacontroller sends them in
// `related`, the hook assumes the selected role through RGW's STS. RGW's roles (test/rgw/rgw.sh): team-a may
// use only buckets named team-a-*, team-b only team-b-*; so which bucket names work says which identity the
// hook used. A change to a selector re-triggers the Buckets it concerns.
import t from 'tap';
import { bucketPath, condition, isReady, kubectlOk, waitForObject } from './support/cluster.js';
import { clusterSuite } from './support/suite.js';

const ROLE_A = process.env.S3_TEST_ROLE_A_ARN;

t.test('IAMRoleSelectors as related objects: the role used, and a selector change re-syncs', async (t) => {
  if (!ROLE_A) throw new Error('the RGW env file names no STS roles: restart RGW with the current test/rgw/rgw.sh');
  const s = await clusterSuite(t);
  const ns = s.namespace('roles', { team: 'a' });
  const selectorName = `${ns}-team`;
  const selector = (arn: string): string =>
    JSON.stringify({
      apiVersion: 'services.k8s.aws/v1alpha1',
      kind: 'IAMRoleSelector',
      metadata: { name: selectorName },
      spec: { arn, namespaceSelector: { names: [ns] }, resourceTypeSelector: [{ group: 's3.services.k8s.aws', version: 'v1alpha1', kind: 'Bucket' }] },
    });
  t.teardown(() => void kubectlOk(s.env, ['delete', 'iamroleselector', selectorName, '--ignore-not-found']));
  kubectlOk(s.env, ['apply', '-f', '-'], { input: selector(ROLE_A) });
  const bucket = (n: string, bucketName: string): string =>
    JSON.stringify({ apiVersion: 's3.services.k8s.aws/v1alpha1', kind: 'Bucket', metadata: { name: n, namespace: ns }, spec: { name: bucketName } });

  const teamA = s.bucket('team-a');
  kubectlOk(s.env, ['apply', '-f', '-'], { input: bucket('mine', teamA) });
  const ready = await waitForObject(s.api, bucketPath(ns, 'mine'), isReady, 60_000, 'Ready as team-a');
  t.equal(condition(ready, 'ACK.IAMRoleSelected')?.message, `roleARN: ${ROLE_A}, selectorName: ${selectorName}`, 'the selected role, as ACK words it');

  // team-a's role may not touch team-b-* buckets: the refusal proves the role, not the hook's own identity, was used.
  const teamB = s.bucket('team-b');
  kubectlOk(s.env, ['apply', '-f', '-'], { input: bucket('theirs', teamB) });
  const denied = await waitForObject(
    s.api,
    bucketPath(ns, 'theirs'),
    (o) => condition(o, 'ACK.Recoverable')?.reason === 'AccessDenied',
    60_000,
    'AccessDenied as team-a',
  );
  t.match(condition(denied, 'ACK.Recoverable')?.message ?? '', ROLE_A, 'the message names the role');

  // The selector stops selecting this namespace (its arn is immutable in ACK's CRD; its selectors are not):
  // Metacontroller re-syncs the Buckets whose related objects changed, and the hook now uses its own identity.
  kubectlOk(s.env, ['patch', 'iamroleselector', selectorName, '--type=merge', '-p', JSON.stringify({ spec: { namespaceSelector: { names: ['elsewhere'] } } })]);
  const switched = await waitForObject(s.api, bucketPath(ns, 'theirs'), isReady, 60_000, "Ready with the hook's own identity");
  t.equal(condition(switched, 'ACK.IAMRoleSelected'), undefined, 'no role selected any more');
  const calls = await s.mc.calls();
  t.ok(
    calls.some((c) => c.key === `${ns}/theirs` && c.triggers.includes('related')),
    'a sync triggered by the related IAMRoleSelector',
  );
  t.ok(
    calls.some((c) => c.key === `${ns}/mine` && c.triggers.includes('related')),
    'every Bucket the selector concerned is re-synced',
  );
});
