// The servers under measurement, each in its own process: the hook exactly as `npm start` runs it
// (the compiled dist/src/main.js, configured by environment), the HTTP floor (floor-server.ts) and the
// null hook (null-hook.ts), compiled alike, so they load and run under the same conditions and memory is
// what production sees.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RgwEnv } from '../support/rgw.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ServerProcess {
  url: string;
  /** Where GET /metrics is: the hook's admin port (ADMIN_PORT); the floor's own url. */
  metricsUrl: string;
  pid: number;
  /** SIGTERM, then SIGKILL after 10 s; resolves when it exited. */
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitReady(url: string, child: ChildProcess, stderr: () => string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode}: ${stderr()}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`server not ready at ${url} after ${timeoutMs} ms: ${stderr()}`);
}

/** `npm run build` (tsc -p .): dist/ as the image ships it. Type errors elsewhere do not stop the emit. */
export function build(): void {
  try {
    execFileSync(path.join(ROOT, 'node_modules/.bin/tsc'), ['-p', '.'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
  } catch (err) {
    if (!existsSync(path.join(ROOT, 'dist/src/main.js'))) throw err;
  }
}

/** The node flags of `npm start` (package.json's start script), which the Dockerfile's CMD repeats (test/unit/start-flags.test.ts). */
export function startFlags(): string[] {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const words = pkg.scripts.start.trim().split(/\s+/);
  return words.slice(words.indexOf('node') + 1).filter((word) => word.startsWith('--'));
}

/** Every server runs with the hook's production node flags, so V8 is set up alike for them. stdout is dropped. */
export async function startNode(
  script: string,
  env: NodeJS.ProcessEnv,
  readyPath: string,
  port: number,
  nodeArgs: string[] = [],
  metricsPort = port,
): Promise<ServerProcess> {
  const url = `http://127.0.0.1:${port}`;
  const program = await startProgram(process.execPath, [...startFlags(), ...nodeArgs, script], env, `${url}${readyPath}`);
  return { url, metricsUrl: `http://127.0.0.1:${metricsPort}`, ...program };
}

/** Any program (a Go binary too): started, then waited for until `readyUrl` answers 2xx; its stderr's tail in the error if it exits or stays unready. */
export async function startProgram(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  readyUrl: string,
  timeoutMs = 30_000,
): Promise<Pick<ServerProcess, 'pid' | 'stop'>> {
  const child = spawn(file, args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => {
    err = (err + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
  await Promise.race([waitReady(readyUrl, child, () => err, timeoutMs), spawnError]);
  return {
    pid: child.pid!,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The hook as deployed: src/main.ts with the RGW account's credentials; stdout (pino, LOG_LEVEL info by default) goes to /dev/null. */
export async function startHook(
  env: RgwEnv,
  options: { logLevel?: string; cpuProfileDir?: string; extraEnv?: NodeJS.ProcessEnv } = {},
): Promise<ServerProcess> {
  const port = await freePort();
  const adminPort = await freePort();
  const hookEnv: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_REGION: env.region,
    AWS_ENDPOINT_URL_S3: env.endpoint,
    S3_FORCE_PATH_STYLE: 'true',
    AWS_ACCESS_KEY_ID: env.hook.accessKeyId,
    AWS_SECRET_ACCESS_KEY: env.hook.secretAccessKey,
    PORT: String(port),
    // Probes and /metrics are on the admin port.
    ADMIN_PORT: String(adminPort),
    HOST: '127.0.0.1',
    LOG_LEVEL: options.logLevel ?? 'info',
    ...options.extraEnv,
  };
  const nodeArgs = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
  return startNode('dist/src/main.js', hookEnv, '/readyz', port, nodeArgs, adminPort);
}

/** The HTTP floor: a bare Fastify handler answering `responseFile`'s body to every POST /sync. */
export async function startFloor(responseFile: string, options: { cpuProfileDir?: string | undefined } = {}): Promise<ServerProcess> {
  const port = await freePort();
  const nodeArgs = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
  return startNode('dist/test/bench/floor-server.js', { ...process.env, PORT: String(port), FLOOR_RESPONSE_FILE: responseFile }, '/readyz', port, nodeArgs);
}

/** The null hook (null-hook.ts): Ready at once, no S3 call; the floor of the real control plane's figures. */
export async function startNullHook(): Promise<ServerProcess> {
  const port = await freePort();
  return startNode('dist/test/bench/null-hook.js', { PATH: process.env.PATH ?? '', PORT: String(port) }, '/readyz', port);
}
