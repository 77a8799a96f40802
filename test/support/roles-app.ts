// The IAM-role test set-up over Ceph RGW's real STS, shared by test/integration/roles.test.ts and the
// long run's real-expiry test (test/long/role-expiry.test.ts): rgw.sh makes the roles (team-a and team-b
// trust the hook user and may use only buckets named team-a-* / team-b-*; untrusted trusts only the
// other user). The hook app is wired as main.ts wires it, with the IAMRoleSelectors and the Bucket's
// Namespace in `related` as Metacontroller sends them after the customize hook.
import { randomUUID } from 'node:crypto';
import { buildApp } from '../../src/http/app.js';
import { createMetrics } from '../../src/http/metrics.js';
import type { HookResponse } from '../../src/reconciler/model/resource.js';
import { NAMESPACE_GROUP, ROLE_SELECTOR_GROUP, type RoleSelectorRules } from '../../src/reconciler/rules/roles.js';
import type { RoleSession, S3PortFactory } from '../../src/s3/port.js';
import { createSdkPortFactory } from '../../src/s3/sdk-adapter.js';
import { bucketResource, envelope, type BucketInput } from './envelope.js';
import { CallCounter, rawClient, rgwEnv, settle } from './rgw.js';

export const env = rgwEnv();
const e = process.env;
if (!e.S3_TEST_ROLE_A_ARN || !e.S3_TEST_STS_ENDPOINT)
  throw new Error('the RGW env file names no STS roles: restart it with the current test/rgw/rgw.sh (bash test/rgw/rgw.sh start)');
export const ROLE_A = e.S3_TEST_ROLE_A_ARN;
export const ROLE_B = e.S3_TEST_ROLE_B_ARN!;
export const UNTRUSTED = e.S3_TEST_ROLE_UNTRUSTED_ARN!;
export const STS = e.S3_TEST_STS_ENDPOINT;
export const mine = rawClient(env, 'hook');

/** The hook app over RGW with STS: S3 and STS requests counted, and each port asked for recorded with its role. */
export function rolesApp(t: { teardown(fn: () => Promise<void>): void }, sessionSeconds = 900, roleSelectors?: RoleSelectorRules) {
  const s3Calls = new CallCounter();
  /** S3 requests that failed (status 4xx/5xx, or an error code). */
  const s3Failures: string[] = [];
  const stsResults: string[] = [];
  const asked: Array<string> = [];
  const metrics = createMetrics({ processMetrics: false });
  const real = createSdkPortFactory({
    endpoint: env.endpoint,
    forcePathStyle: true,
    credentials: env.hook,
    onRequest: (op, result) => {
      s3Calls.record(op);
      if (!/^2\d\d$/.test(result)) s3Failures.push(`${op} ${result}`);
      metrics.s3Request(op, result);
    },
    sts: {
      region: env.region,
      endpoint: STS,
      credentials: env.hook,
      durationSeconds: sessionSeconds,
      onRequest: (result) => {
        stsResults.push(result);
        metrics.stsRequest(result);
      },
    },
  });
  const s3: S3PortFactory = (region: string, session?: RoleSession) => {
    asked.push(session?.roleArn ?? 'hook');
    return real(region, session);
  };
  const app = buildApp({
    logger: false,
    metrics,
    deps: {
      s3,
      now: () => new Date(),
      defaults: { region: env.region, deletionPolicy: 'delete' },
      resync: { driftCheckSeconds: 600, backoffMinSeconds: 5, backoffMaxSeconds: 300 },
      roleSelectors,
    },
  });
  t.teardown(async () => {
    await app.close();
    real.destroy();
  });
  return { app, s3Calls, s3Failures, stsResults, asked, metrics };
}

export const selector = (name: string, arn: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'services.k8s.aws/v1alpha1',
  kind: 'IAMRoleSelector',
  metadata: { name, uid: randomUUID(), resourceVersion: '1', generation: 1 },
  spec: { arn, ...spec },
});
export const TEAM_A = selector('team-a', ROLE_A, { namespaceSelector: { names: ['team-a'] } });
export const TEAM_B = selector('team-b', ROLE_B, { namespaceSelector: { names: ['team-b'] } });
export type Selector = ReturnType<typeof selector>;
export const related = (selectors: Selector[], namespace = 'team-a', labels: Record<string, string> = {}) => ({
  [ROLE_SELECTOR_GROUP]: Object.fromEntries(selectors.map((s) => [s.metadata.name, s])),
  [NAMESPACE_GROUP]: { [namespace]: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels } } },
});

export type App = ReturnType<typeof rolesApp>['app'];
export async function once(app: App, input: BucketInput, rel: ReturnType<typeof related>, finalizing = false): Promise<HookResponse> {
  const res = await app.inject({
    method: 'POST',
    url: finalizing ? '/finalize' : '/sync',
    payload: { ...envelope(bucketResource(input), finalizing), related: rel },
  });
  if (res.statusCode !== 200) throw new Error(`hook answered ${res.statusCode}: ${res.body}`);
  return res.json<HookResponse>();
}
/** A sync followed through RGW's reservation step, as Metacontroller would. */
export const sync = (app: App, input: BucketInput, rel: ReturnType<typeof related>) =>
  settle((status) => once(app, status ? { ...input, status } : input, rel), input.status);
export const condition = (r: HookResponse, type: string) => r.status.conditions?.find((c) => c.type === type);
export const A = { namespace: 'team-a', name: 'artifacts', uid: 'aaaaaaaa-1313-4000-8000-000000000001' };
