// Programs built from Go modules by test/cluster/build.sh (helm, promtool, kube-state-metrics, the control
// plane), for the tests that run them. `npm test` builds them before any test starts (test/run.sh), so here
// build.sh only prints the cached path; a test file run on its own on a machine where the program was never
// built waits for the build, up to WAIT_MS, and then fails saying what to run. Never a skip: a test that
// needs a program and cannot have it fails, with build.sh's own one-line reason.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BUILD = fileURLToPath(new URL('../cluster/build.sh', import.meta.url));
/** Below tap's 120 s per file, so the reason is ours rather than tap's "timeout". */
const WAIT_MS = 90_000;

/** The component of build.sh that builds each program (`bash test/cluster/build.sh COMPONENT`). */
const COMPONENT: Record<string, string> = {
  helm: 'helm',
  promtool: 'promtool',
  'kube-state-metrics': 'kube-state-metrics',
  kubectl: 'kube',
  'kube-apiserver': 'kube',
  etcd: 'etcd',
};

/** The path of `program`, built first if this machine has not built it yet; throws one sentence naming what to do. */
export function goProgram(program: string): string {
  const component = COMPONENT[program] ?? program;
  // setsid: build.sh and its `go build` children form their own process group, ended whole on a timeout.
  const run = spawnSync('setsid', ['bash', BUILD, '--path', program], { encoding: 'utf8', timeout: WAIT_MS, killSignal: 'SIGTERM' });
  if (run.status === 0 && run.stdout.trim() !== '') return run.stdout.trim().split('\n').pop()!;
  if (run.pid) {
    try {
      process.kill(-run.pid, 'SIGTERM');
    } catch {
      // The group has already exited.
    }
  }
  if (run.error && (run.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') {
    throw new Error(
      `${program} is not built on this machine yet and its first build takes minutes: run \`bash test/cluster/build.sh ${component}\` once (or \`npm test\`, which builds it first), then this test again`,
    );
  }
  // build.sh explains itself in one line (no Go, a refused module, no network, a full disk, a compile error).
  const reason = (run.stderr ?? '').split('\n').find((line) => line.startsWith('cluster build:')) ?? run.error?.message ?? `exit ${run.status}`;
  throw new Error(`${program} could not be built from its Go module (\`bash test/cluster/build.sh ${component}\`): ${reason.replace(/^cluster build: /, '')}`);
}
