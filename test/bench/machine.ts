// What the figures ran on, and the per-process readings the benchmarks take from /proc: CPU time
// (user + system) and resident memory of the hook and of the Ceph daemons behind RGW.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Machine {
  os: string;
  cpus: string;
  memory: string;
  node: string;
  rgw: string;
}

function tryRun(command: string, args: string[]): string | undefined {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).trim();
  } catch {
    return undefined;
  }
}

export function describeMachine(): Machine {
  const release = existsSync('/etc/os-release') ? /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] : undefined;
  const cpus = os.cpus();
  return {
    os: `${release ?? os.type()} (${os.type()} ${os.release()}, ${os.arch()})`,
    cpus: `${cpus.length} x ${cpus[0]?.model.trim() ?? 'unknown'}`,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    node: process.version,
    rgw: tryRun('radosgw', ['--version'])?.replace(/ \([0-9a-f]{40}\)/, '') ?? 'radosgw not found',
  };
}

const TICKS_PER_SECOND = Number(tryRun('getconf', ['CLK_TCK']) ?? '100') || 100;

/** User + system CPU seconds a process has used so far (undefined when it is gone). */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** Resident set size in bytes (VmRSS). */
export function rssBytes(pid: number): number | undefined {
  try {
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

export const RGW_DIR = process.env.RGW_DIR ?? '/tmp/bucket-hook-rgw';

/** The Ceph daemons test/rgw/rgw.sh started (radosgw, ceph-osd, ceph-mon), by their PID files. */
export function rgwPids(): Record<string, number> {
  const pids: Record<string, number> = {};
  for (const name of ['radosgw', 'osd', 'mon']) {
    const file = path.join(RGW_DIR, `${name}.pid`);
    if (!existsSync(file)) continue;
    const pid = Number(readFileSync(file, 'utf8').trim());
    if (Number.isInteger(pid) && cpuSeconds(pid) !== undefined) pids[name] = pid;
  }
  return pids;
}

/** CPU seconds of several processes together, for measuring a window: call before and after. */
export function cpuOf(pids: number[]): number {
  return pids.reduce((sum, pid) => sum + (cpuSeconds(pid) ?? 0), 0);
}

/** `radosgw-admin` against the bench's RGW (used to lift the per-user bucket limit for the fleet run). */
export function rgwAdmin(args: string[]): string | undefined {
  return tryRun('radosgw-admin', ['-c', path.join(RGW_DIR, 'ceph.conf'), ...args]);
}
