// A stand-in for Metacontroller v4.17.2 that runs against a real API server, for the cluster tests and
// `npm run cluster:up`. It exists because the Go module proxy refuses github.com/metacontroller/metacontroller
// (every version: 403 "This module version is not available"), so Metacontroller itself cannot be built here.
// It follows Metacontroller's source for CompositeControllers (see parent-controller.ts, related.ts): it reads
// CompositeController objects from the API server, checks the parent CRD's status subresource, resolves the
// hooks' URLs, timeouts, bearer tokens (from Secrets) and CA bundles, and runs one parent controller per
// CompositeController with the identity and RBAC it is given (--kubeconfig). Not imitated: DecoratorControllers,
// rolling update strategies, server-side apply, ETags, v2 hooks, leader election.
//
//   npx tsx test/cluster/metacontroller/main.ts --kubeconfig FILE [--workers 5] [--discovery-interval 30s]
//     [--cache-flush-interval 30m] [--client-go-qps 5] [--client-go-burst 10]
//     [--health-probe-bind-address 127.0.0.1:PORT] [--behave-as v4.17.2|v4.16.0] [--zap-log-level info|debug]
//
// The health port also answers GET /calls (the last 10,000 hook calls: key, hook, triggers, generation, HTTP
// code, ms, contract violations, the answer's Ready and resyncAfterSeconds, and when each step happened;
// ?since=<epoch ms> for those sent from then on) and GET /stats (API requests by verb, queue lengths, and
// per controller the hook calls by hook and trigger and the status writes), for tests and the bench.
import http from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import { KubeClient, readKubeconfig, resourcePath, type JsonObject, type KubeObject } from '../support/kube-client.js';
import { Discovery } from './discovery.js';
import { EventRecorder } from './events.js';
import { Informer } from './informer.js';
import { ParentController, type CompositeSpec } from './parent-controller.js';
import { parseGoDuration, resolveWebhook, type WebhookSpec } from './webhook-config.js';

interface Flags {
  kubeconfig: string;
  workers: number;
  discoveryMs: number;
  cacheFlushMs: number;
  qps: number;
  burst: number;
  health?: { host: string; port: number };
  behaveAs: string;
  debug: boolean;
}

function parseFlags(argv: string[]): Flags {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m) fail(`unexpected argument ${arg}`);
    values.set(m[1]!, m[2] ?? argv[++i] ?? fail(`--${m[1]} needs a value`));
  }
  const known = [
    'kubeconfig',
    'workers',
    'discovery-interval',
    'cache-flush-interval',
    'client-go-qps',
    'client-go-burst',
    'health-probe-bind-address',
    'behave-as',
    'zap-log-level',
  ];
  for (const k of values.keys()) if (!known.includes(k)) fail(`unknown flag --${k} (known: ${known.map((x) => `--${x}`).join(', ')})`);
  const kubeconfig = values.get('kubeconfig') ?? fail('--kubeconfig is required');
  const number = (k: string, d: number): number => {
    const v = values.get(k);
    if (v === undefined) return d;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) fail(`--${k}=${v} must be a positive number`);
    return n;
  };
  const health = values.get('health-probe-bind-address');
  let healthAddress: Flags['health'];
  if (health) {
    const m = /^([\d.]+):(\d+)$/.exec(health);
    if (!m) fail(`--health-probe-bind-address=${health} must be HOST:PORT`);
    healthAddress = { host: m[1]!, port: Number(m[2]) };
  }
  const behaveAs = values.get('behave-as') ?? 'v4.17.2';
  if (!/^v4\.\d+\.\d+$/.test(behaveAs)) fail(`--behave-as=${behaveAs} must be a v4.x.y version`);
  return {
    kubeconfig,
    workers: number('workers', 5),
    discoveryMs: parseGoDuration(values.get('discovery-interval') ?? '30s'),
    cacheFlushMs: parseGoDuration(values.get('cache-flush-interval') ?? '30m'),
    qps: number('client-go-qps', 5),
    burst: number('client-go-burst', 10),
    ...(healthAddress ? { health: healthAddress } : {}),
    behaveAs,
    debug: values.get('zap-log-level') === 'debug',
  };
}

function fail(message: string): never {
  process.stderr.write(`metacontroller stand-in: ${message}\n`);
  process.exit(2);
}

function log(line: JsonObject): void {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...line })}\n`);
}

/** v4.17.2 fixed resyncs being dropped under ignoreStatusChanges (#1252); older versions behave as before. */
function beforeResyncFix(version: string): boolean {
  const [major, minor, patch] = version.slice(1).split('.').map(Number) as [number, number, number];
  return major === 4 && (minor < 17 || (minor === 17 && patch < 2));
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  let config: ReturnType<typeof readKubeconfig>;
  try {
    config = readKubeconfig(flags.kubeconfig);
  } catch (err) {
    fail((err as Error).message);
  }
  const client = new KubeClient({ ...config, qps: flags.qps, burst: flags.burst, userAgent: 'metacontroller-stand-in' });
  const discovery = new Discovery(client, flags.discoveryMs);
  const recorder = new EventRecorder(client);
  const controllers = new Map<string, { generation: number; controller: ParentController | undefined; spec: unknown }>();

  const ccPath = resourcePath('metacontroller.k8s.io/v1alpha1', 'compositecontrollers');
  const probe = await client.request('GET', ccPath).catch((err: Error) => fail(`cannot reach the API server at ${config.server}: ${err.message}`));
  if (probe.status === 404) fail('the CompositeController CRD (compositecontrollers.metacontroller.k8s.io) is not installed: apply it first');
  if (probe.status === 401 || probe.status === 403)
    fail(`the API server refused this identity (${probe.status}): grant it list/watch on compositecontrollers.metacontroller.k8s.io`);

  const reconcile = async (cc: KubeObject & { spec: CompositeSpec }): Promise<void> => {
    const name = cc.metadata.name;
    const current = controllers.get(name);
    if (current && current.generation === (cc.metadata.generation ?? 0) && isDeepStrictEqual(current.spec, cc.spec)) return;
    await current?.controller?.stop();
    controllers.set(name, { generation: cc.metadata.generation ?? 0, controller: undefined, spec: cc.spec });
    try {
      const pr = cc.spec.parentResource;
      const info = await discovery.resource(pr.apiVersion, pr.resource);
      if (!info) throw new Error(`can't find parent resource ${pr.apiVersion}/${pr.resource}`);
      const group = pr.apiVersion.split('/')[0]!;
      const crd = await client.request<{ spec?: { versions?: Array<{ name: string; subresources?: { status?: unknown } }> } }>(
        'GET',
        resourcePath('apiextensions.k8s.io/v1', 'customresourcedefinitions', undefined, `${pr.resource}.${group}`),
      );
      const version = pr.apiVersion.split('/')[1];
      if (crd.status === 200 && !crd.body.spec?.versions?.find((v) => v.name === version)?.subresources?.status) {
        void recorder.warning(cc, 'SyncError', `[${name}] Sync error - ignoring, CRD [${pr.resource}.${group}] does not have subresource 'Status' enabled`);
        log({ msg: 'ignoring CompositeController: the parent CRD has no status subresource', controller: name });
        return;
      }
      const hooks: ConstructorParameters<typeof ParentController>[5] = {};
      for (const h of ['sync', 'finalize', 'customize'] as const) {
        const webhook = cc.spec.hooks?.[h]?.webhook as WebhookSpec | undefined;
        if (webhook) hooks[h] = await resolveWebhook(client, webhook);
      }
      if (!cc.spec.hooks) throw new Error('no hooks defined');
      const controller = new ParentController(client, discovery, recorder, cc, info, hooks, {
        workers: flags.workers,
        cacheFlushMs: flags.cacheFlushMs,
        dropResyncsWithIgnoreStatusChanges: beforeResyncFix(flags.behaveAs),
        log,
      });
      await controller.start();
      controllers.get(name)!.controller = controller;
      log({
        msg: 'started CompositeController',
        controller: name,
        parent: `${pr.resource}.${pr.apiVersion}`,
        hooks: Object.fromEntries(Object.entries(hooks).map(([k, v]) => [k, v.url])),
      });
    } catch (err) {
      log({ msg: 'cannot start CompositeController; retrying in 5 s', controller: name, err: (err as Error).message });
      controllers.delete(name);
      setTimeout(() => void retry(name), 5000).unref();
    }
  };
  const informer = new Informer(client, { path: ccPath, onError: (err) => log({ msg: 'compositecontroller informer', err: String(err) }) });
  const retry = async (name: string): Promise<void> => {
    const cc = informer.cache.get(name);
    if (cc) await reconcile(cc as KubeObject & { spec: CompositeSpec });
  };
  let chain = Promise.resolve();
  const serially = (work: () => Promise<void>): void => {
    chain = chain.then(work).catch((err: Error) => log({ msg: 'reconcile failed', err: err.message }));
  };
  informer.on({
    add: (cc) => serially(() => reconcile(cc as KubeObject & { spec: CompositeSpec })),
    update: (_b, cc) => serially(() => reconcile(cc as KubeObject & { spec: CompositeSpec })),
    delete: (cc) =>
      serially(async () => {
        await controllers.get(cc.metadata.name)?.controller?.stop();
        controllers.delete(cc.metadata.name);
        log({ msg: 'stopped CompositeController', controller: cc.metadata.name });
      }),
  });
  informer.start();
  await informer.hasSynced();

  if (flags.health) {
    const server = http.createServer((req, res) => {
      const send = (code: number, body: unknown): void => {
        res.writeHead(code, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.url === '/healthz' || req.url === '/readyz') return send(200, { ok: true });
      const url = new URL(req.url ?? '/', 'http://stand-in');
      if (url.pathname === '/calls') {
        // ?since=<epoch ms>: only calls sent from then on (the bench reads one phase's calls).
        const since = Number(url.searchParams.get('since') ?? 0);
        return send(
          200,
          [...controllers.values()].flatMap((c) => c.controller?.calls ?? []).filter((c) => c.times.hookStarted >= since),
        );
      }
      if (url.pathname === '/stats') {
        const each = [...controllers];
        return send(200, {
          requests: client.requests,
          controllers: Object.fromEntries(each.map(([k, c]) => [k, c.controller?.pending ?? null])),
          counts: Object.fromEntries(each.map(([k, c]) => [k, c.controller?.counts ?? null])),
        });
      }
      send(404, { message: 'not found' });
    });
    server.on('error', (err) => fail(`cannot listen on ${flags.health!.host}:${flags.health!.port}: ${err.message}`));
    await new Promise<void>((resolve) => server.listen(flags.health!.port, flags.health!.host, resolve));
  }
  log({ msg: 'metacontroller stand-in started', behaveAs: flags.behaveAs, workers: flags.workers });

  const shutdown = async (): Promise<void> => {
    for (const c of controllers.values()) await c.controller?.stop();
    await informer.stop();
    client.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
}

void main();
