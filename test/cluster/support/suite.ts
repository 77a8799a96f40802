// One cluster test file's set-up: the project installed into the local control plane as the README says, the
// hook as a process with its ServiceAccount's identity against one RGW, the Metacontroller stand-in with its
// own identity, namespaces made per test; and the teardown that removes all of it (the suite's files run one
// at a time: they share the cluster-scoped CompositeController and CRDs).
import { randomBytes } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { rawClient, removeBucket, rgwEnv, type RgwEnv } from '../../support/rgw.js';
import {
  adminClient,
  clusterEnv,
  freePort,
  grantMetacontroller,
  install,
  kubectlOk,
  startHook,
  startMetacontroller,
  uninstall,
  type ClusterEnv,
  type RunningHook,
  type RunningMetacontroller,
} from './cluster.js';
import type { KubeClient } from './kube-client.js';

export interface SuiteOptions {
  /** Kustomization to apply (default manifests/). */
  kustomization?: string;
  /** The hook's extra environment (DRIFT_CHECK_INTERVAL_SECONDS, ...). */
  hookEnv?: Record<string, string>;
  /** Extra flags for the Metacontroller stand-in. */
  metacontrollerArgs?: string[];
  /** Another RGW than the default env's (the eu-west-1 run). */
  rgw?: RgwEnv;
  /** No bearer token (the metacontroller-pre-4.16 overlay). */
  noToken?: boolean;
}

export interface Suite {
  env: ClusterEnv;
  api: KubeClient;
  rgw: RgwEnv;
  mine: S3Client;
  theirs: S3Client;
  hook: RunningHook;
  mc: RunningMetacontroller;
  hookToken: string | undefined;
  /** A fresh namespace (deleted at teardown). */
  namespace(prefix?: string, labels?: Record<string, string>): string;
  /** A bucket name to remove from RGW at teardown (whatever the test left). */
  bucket(prefix: string): string;
  /** Restart the hook with the same port (after a crash or with other settings). */
  restartHook(env?: Record<string, string>): Promise<RunningHook>;
}

export async function clusterSuite(test: { teardown(fn: () => Promise<void> | void): void }, options: SuiteOptions = {}): Promise<Suite> {
  const env = clusterEnv();
  const rgw = options.rgw ?? rgwEnv();
  const api = adminClient(env);
  const mine = rawClient(rgw, 'hook');
  const theirs = rawClient(rgw, 'other');
  const hookToken = options.noToken ? undefined : randomBytes(24).toString('hex');
  const port = await freePort();
  const kustomization = options.kustomization ?? 'manifests/';
  install(env, { kustomization, hookPort: port, ...(hookToken ? { hookToken } : {}) });
  grantMetacontroller(env);
  const s3 = { endpoint: rgw.endpoint, region: rgw.region, ...rgw.hook };
  let hook = await startHook(env, { port, s3, ...(hookToken ? { hookToken } : {}), ...(options.hookEnv ? { extraEnv: options.hookEnv } : {}) });
  const mc = await startMetacontroller(env, options.metacontrollerArgs ?? []);
  const namespaces: string[] = [];
  const buckets: string[] = [];
  test.teardown(async () => {
    await mc.stop();
    for (const ns of namespaces) kubectlOk(env, ['delete', 'namespace', ns, '--wait=false', '--ignore-not-found']);
    uninstall(env, kustomization);
    await hook.stop();
    for (const b of buckets) await removeBucket(mine, b).catch(() => undefined);
    mine.destroy();
    theirs.destroy();
    api.close();
  });
  return {
    env,
    api,
    rgw,
    mine,
    theirs,
    get hook() {
      return hook;
    },
    mc,
    hookToken,
    namespace(prefix = 'team', labels = {}) {
      const name = `${prefix}-${randomBytes(3).toString('hex')}`;
      const manifest = { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
      kubectlOk(env, ['apply', '-f', '-'], { input: JSON.stringify(manifest) });
      namespaces.push(name);
      return name;
    },
    bucket(prefix) {
      const name = `${prefix}-${randomBytes(4).toString('hex')}`;
      buckets.push(name);
      return name;
    },
    async restartHook(extraEnv) {
      hook = await startHook(env, {
        port,
        adminPort: hook.adminPort,
        s3,
        ...(hookToken ? { hookToken } : {}),
        extraEnv: { ...(options.hookEnv ?? {}), ...(extraEnv ?? {}) },
      });
      return hook;
    },
  };
}
