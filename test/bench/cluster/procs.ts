// Every process of the loop, read from /proc: CPU (utime + stime) snapshots to difference over a phase,
// and the most memory each has held (VmHWM). The control plane's PIDs come from its pid files, RGW's from
// test/rgw/rgw.sh's, the hook's, the stand-in's and ACK's from the bench that started them; the bench's
// own process is listed too (it applies the Buckets, watches them and runs the recording proxy).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { cpuSeconds } from '../machine.js';

export interface Proc {
  name: string;
  pid: number;
}

/** CPU seconds by process name at one instant. */
export type CpuSnapshot = Record<string, number>;

export function pidFile(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 && cpuSeconds(pid) !== undefined ? pid : undefined;
}

/** etcd, kube-apiserver and kube-controller-manager of control-plane.sh (CLUSTER_DIR/pids). */
export function controlPlaneProcs(clusterDir: string): Proc[] {
  const procs: Proc[] = [];
  for (const name of ['etcd', 'kube-apiserver', 'kube-controller-manager']) {
    const pid = pidFile(path.join(clusterDir, 'pids', `${name}.pid`));
    if (pid === undefined)
      throw new Error(`${name} is not running (no live PID in ${clusterDir}/pids): start the control plane with test/cluster/control-plane.sh up`);
    procs.push({ name, pid });
  }
  return procs;
}

/** radosgw, ceph-osd and ceph-mon of one RGW (test/rgw/rgw.sh's state dir). */
export function rgwProcs(rgwDir: string): Proc[] {
  const procs: Proc[] = [];
  for (const [file, name] of [
    ['radosgw', 'radosgw'],
    ['osd', 'ceph-osd'],
    ['mon', 'ceph-mon'],
  ] as const) {
    const pid = pidFile(path.join(rgwDir, `${file}.pid`));
    if (pid !== undefined) procs.push({ name, pid });
  }
  if (!procs.some((p) => p.name === 'radosgw')) throw new Error(`no running radosgw under ${rgwDir}: start it with test/rgw/rgw.sh start`);
  return procs;
}

export function snapshot(procs: Proc[]): CpuSnapshot {
  return Object.fromEntries(procs.map((p) => [p.name, cpuSeconds(p.pid) ?? Number.NaN]));
}

/** CPU seconds each process used between two snapshots. */
export function delta(before: CpuSnapshot, after: CpuSnapshot): CpuSnapshot {
  return Object.fromEntries(Object.keys(after).map((name) => [name, (after[name] ?? 0) - (before[name] ?? 0)]));
}

/** The most resident memory the process has held since it started (VmHWM), bytes. */
export function peakRss(pid: number): number | undefined {
  try {
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

export function peaks(procs: Proc[]): Record<string, number> {
  return Object.fromEntries(procs.map((p) => [p.name, peakRss(p.pid) ?? Number.NaN]));
}
