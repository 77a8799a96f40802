// The hook as a process (src/main.ts under node with the TypeScript loader of ts-child.ts, not the tsx
// CLI, which would sit between a signal and the hook), in a clean environment: nothing of the test
// runner's own AWS settings leaks in. Resolves `ready` with the ports its ready line names.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tsChild } from './ts-child.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface HookProcess {
  child: ChildProcess;
  output: () => string;
  /** The ports the ready line names: the hook's and the admin's. */
  ready: Promise<{ port: number; adminPort: number }>;
  exited: Promise<number | null>;
  stop: () => void;
  /** SIGKILL: a crash. */
  kill: () => void;
}

export function startHookProcess(env: Record<string, string>): HookProcess {
  const loader = tsChild();
  const child = spawn(process.execPath, [...loader.nodeArgs, 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...loader.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const ready = new Promise<{ port: number; adminPort: number }>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((l) => l.includes('"msg":"bucket-hook ready"'));
      if (line) resolve(JSON.parse(line) as { port: number; adminPort: number });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`exited with ${code}: ${output}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, ready, exited, stop: () => void child.kill('SIGTERM'), kill: () => void child.kill('SIGKILL') };
}
