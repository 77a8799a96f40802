// How a test starts a src/ entry point (main.ts, a CLI) as a child process: node with a TypeScript loader.
// Under tap, the child gets the loader this test runs under (@tapjs/typescript, with its settings), so the
// child's code is the same code as the tests', its V8 coverage maps back to src/ and merges with theirs.
// Elsewhere tsx. (Not tsx under tap: tsx minifies whitespace, so c8 counts each file the child loads as
// one line, and merged with the tests' coverage of the same files that corrupts their figures too.)

/** Node arguments to put before the entry point, and the environment the loader needs. */
export function tsChild(): { nodeArgs: string[]; env: Record<string, string> } {
  const tapLoader = process.execArgv.filter((a) => a.includes('@tapjs/typescript/'));
  if (tapLoader.length === 0) return { nodeArgs: ['--import', 'tsx'], env: {} };
  const settings = Object.entries(process.env).filter(
    (e): e is [string, string] => (e[0].startsWith('TS_NODE_') || e[0] === 'TAP_TYPE_STRIP_ONLY') && e[1] !== undefined,
  );
  const sourceMaps = process.execArgv.includes('--enable-source-maps') ? ['--enable-source-maps'] : [];
  return { nodeArgs: [...tapLoader, ...sourceMaps], env: Object.fromEntries(settings) };
}
