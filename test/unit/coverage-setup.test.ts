// How coverage is measured (package.json "tap"): over src/ only, gated by thresholds that fail the run.
// And the one way it breaks silently: a test that starts src/ in a child process under tsx. tsx minifies
// whitespace, so c8 counts each file of that child as one covered line, and merging that with the other
// tests' coverage of the same files corrupts their figures too. Children go through test/support/ts-child.ts.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const tap = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { tap: Record<string, unknown> }).tap;

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

t.test('coverage: over src/ only, every threshold set, a shortfall fails the run', async (t) => {
  t.same(tap['coverage-exclude'], ['test/**'], 'test code is not counted');
  t.notOk('allow-incomplete-coverage' in tap, 'a shortfall is not allowed');
  for (const key of ['statements', 'branches', 'functions', 'lines']) {
    const value = tap[key];
    t.ok(typeof value === 'number' && value > 0 && value <= 100, `${key} threshold ${String(value)}`);
  }
  t.match(tap['coverage-report'], ['text-summary'], 'the run prints a summary');
});

/** Tests whose tsx children never write coverage: every one of them is ended by SIGKILL. */
const KILLED_ONLY = ['test/reliability/crash.test.ts'];

t.test('no test starts src/ under tsx directly (its coverage cannot be mapped back)', async (t) => {
  // test/bench runs under tsx itself, not under tap; so does test/cluster/local.ts (`npm run cluster:up`).
  const files = filesUnder(join(ROOT, 'test'))
    .map((f) => relative(ROOT, f))
    .filter(
      (f) =>
        f.endsWith('.ts') &&
        !f.startsWith('test/bench/') &&
        f !== 'test/cluster/local.ts' &&
        f !== 'test/support/ts-child.ts' &&
        f !== 'test/unit/coverage-setup.test.ts',
    );
  t.ok(files.length > 20, `${files.length} test files read`);
  const offenders = files.filter((f) => /['"]--import['"]\s*,\s*['"]tsx['"]|--import=tsx/.test(readFileSync(join(ROOT, f), 'utf8')));
  t.same(
    offenders.filter((f) => !KILLED_ONLY.includes(f)),
    [],
    'spawn src/ entry points with tsChild() from test/support/ts-child.ts',
  );
  for (const f of KILLED_ONLY.filter((k) => offenders.includes(k))) {
    t.notMatch(readFileSync(join(ROOT, f), 'utf8'), /SIGTERM|SIGINT|\.kill\(\)/, `${f}: its tsx children are only ever SIGKILLed (no coverage written)`);
  }
});
