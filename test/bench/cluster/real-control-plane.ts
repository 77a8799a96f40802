// What users feel, on the real control plane (etcd, kube-apiserver, kube-controller-manager, the
// Metacontroller stand-in, the hook, RGW), in one run:
//   1. apply -> Ready, 20 Buckets one at a time, in us-east-1 and eu-west-1, and where the time goes;
//   2. the floor: the same applies against the null hook (no S3), between the two;
//   3. N Buckets at once -> Ready, a quiet interval of drift checks, all deleted: CPU per Bucket of every
//      process from /proc; once with Metacontroller's default client limits (a smaller fleet: they pace
//      it), once with the settings docs/performance.md tells admins to use (the gated run);
//   5. the peer: ACK's s3-controller on the same API server and RGW, the same figures.
// Metacontroller's part is played by the stand-in (test/cluster/metacontroller/: the Go module proxy
// refuses Metacontroller itself), a Node process whose CPU is the stand-in's, not Go Metacontroller's; or by
// Metacontroller itself when BENCH_METACONTROLLER names its binary (c.metacontroller), which R3 then compares with.
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { freePort, installMetacontrollerCrdFile, isReady, uninstallMetacontrollerCrdFile, type MetacontrollerBinary } from '../../cluster/support/cluster.js';
import type { KubeObject } from '../../cluster/support/kube-client.js';
import { log, type Figure } from '../report.js';
import { ackBuild, ackReady, installAckCrds, startAck, uninstallAckCrds, ACK_MODULE } from './ack.js';
import { createNamespace, deleteNamespace } from './buckets.js';
import { runFleet, type FleetRun } from './fleet.js';
import { measureApplies, summarizeRun, type LatencySummary } from './latency.js';
import type { Proc } from './procs.js';
import {
  describeSettings,
  installProject,
  METACONTROLLER_DEFAULTS,
  openBench,
  pointHooks,
  regionProcs,
  startClusterHook,
  startMetacontrollerPart,
  startNull,
  uninstallProject,
  type Region,
  type StandInSettings,
} from './setup.js';
import { breakdownTable, cpuTable, fleetTable, latencyTable, LOOP, totalPerBucket } from './tables.js';

/** Idle before each one-at-a-time apply: Metacontroller's client limit (5/s, burst 10) refills in 2 s. */
const LATENCY_GAP_MS = 2000;

export interface ClusterConfig {
  latencyBuckets: number;
  buckets: number;
  defaultsBuckets: number;
  /** Created and deleted before each fleet by the same processes, not measured. */
  warmupBuckets: number;
  peerBuckets: number;
  quietSeconds: number;
  idleSeconds: number;
  settleSeconds: number;
  driftSeconds: number;
  tuned: StandInSettings;
  peer: boolean;
  concurrency: number;
  /** The fleets' hook runs with --cpu-prof into this directory (BENCH_HOOK_CPU_PROF). */
  cpuProfileDir?: string | undefined;
  maxSeconds: number;
  /** Metacontroller itself in place of the stand-in (BENCH_METACONTROLLER, BENCH_METACONTROLLER_CRDS). */
  metacontroller?: MetacontrollerBinary | undefined;
}

export interface ClusterResult {
  text: string;
  figures: Figure[];
}

/** Lifts RGW's per-user bucket cap (1,000) for the fleets. */
function liftBucketLimit(region: Region, buckets: number): void {
  try {
    execFileSync('radosgw-admin', ['-c', `${region.dir}/ceph.conf`, 'user', 'modify', `--uid=${region.userId}`, `--max-buckets=${buckets + 5000}`], {
      stdio: 'ignore',
      timeout: 30_000,
    });
  } catch {
    log(`could not lift RGW's bucket limit for ${region.userId} in ${region.region}; a fleet over ~1,000 may fail`);
  }
}

export async function realControlPlane(c: ClusterConfig): Promise<ClusterResult> {
  const b = await openBench();
  const run = randomBytes(3).toString('hex');
  const [east, west] = [b.regions.find((r) => r.region === 'us-east-1') ?? b.regions[0]!, b.regions.find((r) => r.region !== 'us-east-1')];
  for (const r of b.regions) liftBucketLimit(r, Math.max(c.buckets, c.peerBuckets));
  const latency: LatencySummary[] = [];
  const fleets: FleetRun[] = [];
  const notes: string[] = [];
  const namespaces: string[] = [];
  const ns = async (prefix: string): Promise<string> => {
    const name = `${prefix}-${run}`;
    await createNamespace(b.api, name);
    namespaces.push(name);
    return name;
  };
  const timeoutMs = c.maxSeconds * 1000;
  const self: Proc = { name: 'bench', pid: process.pid };
  try {
    // ---- ours: the latency runs with Metacontroller's defaults, then the fleets --------------------
    const port = await freePort();
    installProject(b, port);
    if (c.metacontroller) installMetacontrollerCrdFile(b.env, c.metacontroller);
    let mc = await startMetacontrollerPart(b, METACONTROLLER_DEFAULTS, c.metacontroller);
    try {
      const oneAtATime = async (label: string, region: Region, standInPort: number | undefined, ready: (o: KubeObject) => boolean): Promise<void> => {
        const namespace = await ns(`lat-${label.replace(/[^a-z0-9]+/g, '-').replace(/-+$/, '')}`);
        log(`${label}: ${c.latencyBuckets} Buckets applied one at a time`);
        const r = await measureApplies(b.api, {
          label,
          namespace,
          count: c.latencyBuckets,
          bucketName: (i) => `bench-${run}-${namespace.slice(4, 12)}-${i}`,
          ready,
          proxy: region.proxy,
          standInPort,
          gapMs: LATENCY_GAP_MS,
          timeoutMs: 120_000,
        });
        latency.push(summarizeRun(r));
      };
      if (c.latencyBuckets > 0) {
        let hook = await startClusterHook(b, east, { driftSeconds: c.driftSeconds, port });
        await oneAtATime(`hook, ${east.region}`, east, mc.standInPort, isReady);
        await hook.stop();
        const nullHook = await startNull();
        pointHooks(b, nullHook.port);
        await oneAtATime('null hook (floor)', east, mc.standInPort, isReady);
        pointHooks(b, port);
        await nullHook.stop();
        if (west) {
          hook = await startClusterHook(b, west, { driftSeconds: c.driftSeconds, port });
          await oneAtATime(`hook, ${west.region}`, west, mc.standInPort, isReady);
          await hook.stop();
        }
      }
      const fleet = async (label: string, n: number, quietSeconds: number, settings: StandInSettings): Promise<void> => {
        await mc.stop();
        mc = await startMetacontrollerPart(b, settings, c.metacontroller);
        const hook = await startClusterHook(b, east, { driftSeconds: c.driftSeconds, port, cpuProfileDir: c.cpuProfileDir });
        try {
          const procs: Proc[] = [...b.controlPlane, { name: 'metacontroller', pid: mc.pid }, { name: 'hook', pid: hook.pid }, ...regionProcs(east), self];
          const common = {
            concurrency: c.concurrency,
            idleSeconds: c.idleSeconds,
            settleSeconds: c.settleSeconds,
            ready: isReady,
            proxy: east.proxy,
            checkOperation: 'GetBucketVersioning',
            standInPort: mc.standInPort,
            procs,
            timeoutMs,
          };
          if (c.warmupBuckets > 0) {
            // As T1: processes that have run a while (V8 has compiled the hot paths of the hook and the stand-in).
            const namespace = await ns(`warm-${n}`);
            await runFleet(b.api, {
              ...common,
              label: `${label}, warm-up`,
              namespace,
              n: Math.min(c.warmupBuckets, n),
              idleSeconds: 1,
              settleSeconds: 0,
              quietSeconds: 0,
              bucketName: (i) => `bench-${run}-w${n}-${i}`,
            });
          }
          const namespace = await ns(`fleet-${n}`);
          fleets.push(await runFleet(b.api, { ...common, label, namespace, n, quietSeconds, bucketName: (i) => `bench-${run}-f${n}-${i}` }));
        } finally {
          await hook.stop();
        }
      };
      if (c.defaultsBuckets > 0)
        await fleet(
          `${c.defaultsBuckets}, Metacontroller's defaults (${describeSettings(METACONTROLLER_DEFAULTS)})`,
          c.defaultsBuckets,
          0,
          METACONTROLLER_DEFAULTS,
        );
      if (c.buckets > 0) await fleet(`${c.buckets}, ${describeSettings(c.tuned)}`, c.buckets, c.quietSeconds, c.tuned);
    } finally {
      await mc.stop();
      uninstallProject(b);
      if (c.metacontroller) uninstallMetacontrollerCrdFile(b.env, c.metacontroller);
    }

    // ---- the peer -------------------------------------------------------------------------------
    if (c.peer) {
      let built: ReturnType<typeof ackBuild> | undefined;
      try {
        built = ackBuild();
      } catch (err) {
        notes.push(`the peer (ACK's s3-controller, ${ACK_MODULE}) could not be built: ${(err as Error).message.split('\n')[0]}`);
      }
      if (built) {
        installAckCrds(b.env, built.moduleDir);
        const ack = await startAck(b.env, built.binary, east, { resyncSeconds: c.driftSeconds, concurrency: c.tuned.workers });
        try {
          const label = `ACK s3-controller v1.14.0, ${east.region}`;
          if (c.latencyBuckets > 0) {
            const namespace = await ns('lat-ack');
            log(`${label}: ${c.latencyBuckets} Buckets applied one at a time`);
            latency.push(
              summarizeRun(
                await measureApplies(b.api, {
                  label,
                  namespace,
                  count: c.latencyBuckets,
                  bucketName: (i) => `bench-${run}-ack-${i}`,
                  ready: ackReady,
                  proxy: east.proxy,
                  gapMs: LATENCY_GAP_MS,
                  timeoutMs: 120_000,
                }),
              ),
            );
          }
          if (c.peerBuckets > 0) {
            const procs: Proc[] = [...b.controlPlane, { name: 'ack-s3-controller', pid: ack.pid }, ...regionProcs(east), self];
            const common = {
              concurrency: c.concurrency,
              settleSeconds: c.settleSeconds,
              ready: ackReady,
              proxy: east.proxy,
              checkOperation: 'ListBuckets',
              procs,
              timeoutMs,
            };
            if (c.warmupBuckets > 0)
              await runFleet(b.api, {
                ...common,
                label: 'ACK, warm-up',
                namespace: await ns('warm-ack'),
                n: Math.min(c.warmupBuckets, c.peerBuckets),
                idleSeconds: 1,
                settleSeconds: 0,
                quietSeconds: 0,
                bucketName: (i) => `bench-${run}-wa-${i}`,
              });
            const namespace = await ns(`fleet-ack-${c.peerBuckets}`);
            fleets.push(
              await runFleet(b.api, {
                ...common,
                label: `${c.peerBuckets}, ACK (--reconcile-default-max-concurrent-syncs ${c.tuned.workers}, resync ${c.driftSeconds} s)`,
                namespace,
                n: c.peerBuckets,
                idleSeconds: c.idleSeconds,
                quietSeconds: c.quietSeconds,
                bucketName: (i) => `bench-${run}-fa-${i}`,
              }),
            );
          }
        } finally {
          await ack.stop();
          uninstallAckCrds(b.env, built.moduleDir);
        }
      }
    }
  } finally {
    for (const n of namespaces) await deleteNamespace(b.api, n).catch(() => undefined);
    await b.close();
  }
  return report(c, latency, fleets, notes);
}

function report(c: ClusterConfig, latency: LatencySummary[], fleets: FleetRun[], notes: string[]): ClusterResult {
  const parts: string[] = [];
  const figures: Figure[] = [];
  if (latency.length > 0) {
    parts.push(latencyTable(latency), breakdownTable(latency));
    const floor = latency.find((l) => l.label.startsWith('null hook'));
    for (const l of latency.filter((x) => x.label.startsWith('hook, '))) {
      if (!floor) break;
      const s3 = l.parts.s3Of ?? l.parts.controllerS3Of ?? 0;
      const goal = floor.median + s3;
      figures.push({
        id: 'R2',
        figure: `apply -> Ready, ${l.label}: median / the floor's + the create's S3 round trips`,
        value: `${l.median.toFixed(0)} ms / ${floor.median.toFixed(0)} + ${s3.toFixed(0)} = ${goal.toFixed(0)} ms`,
        target: 'within',
        ok: l.median <= goal,
      });
    }
  }
  if (fleets.length > 0) {
    parts.push(fleetTable(fleets), ...fleets.map(cpuTable));
    const gated = fleets.find((f) => f.label.startsWith(`${c.buckets}, --workers`));
    if (gated) {
      const hook = totalPerBucket(gated, 'hook');
      const others = LOOP.filter((n) => n !== 'hook' && n !== 'bench' && n in gated.create.cpu).map((n) => [n, totalPerBucket(gated, n)] as const);
      const mc = others.find(([n]) => n === 'metacontroller')?.[1] ?? Number.NaN;
      const apiserver = others.find(([n]) => n === 'kube-apiserver')?.[1] ?? Number.NaN;
      const cheaper = others.filter(([, v]) => v < hook).map(([n]) => n);
      figures.push({
        id: 'R3',
        figure: `${gated.n} Buckets: CPU per Bucket above idle (create + quiet + delete): hook / ${c.metacontroller ? 'Metacontroller' : 'Metacontroller stand-in'} / kube-apiserver`,
        value: `${hook.toFixed(2)} / ${mc.toFixed(2)} / ${apiserver.toFixed(2)} ms${cheaper.length ? ` (cheaper than the hook: ${cheaper.join(', ')})` : ' (the cheapest process of the loop)'}`,
        target: 'hook below both',
        ok: hook < mc && hook < apiserver && gated.shortfall.create === 0 && gated.shortfall.remove === 0,
        gate: true,
      });
    } else if (c.buckets > 0) {
      figures.push({ id: 'R3', figure: `${c.buckets} Buckets: the hook cheapest per Bucket`, value: 'not measured', ok: false, gate: true });
    }
  }
  parts.push(...notes.map((n) => `note: ${n}`));
  return { text: parts.join('\n\n'), figures };
}
