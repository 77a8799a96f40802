// The image runs the hook as `npm start` does: the Dockerfile's CMD carries the same node flags as
// package.json's start script (the bench reads them from there, so its figures are the image's).
import { readFileSync } from 'node:fs';
import t from 'tap';
import { startFlags } from '../bench/processes.js';

t.test('Dockerfile CMD and npm start run node with the same flags', async (t) => {
  const cmdLine = readFileSync('Dockerfile', 'utf8')
    .split('\n')
    .find((line) => line.startsWith('CMD '));
  t.ok(cmdLine, 'the Dockerfile has a CMD');
  const cmd = JSON.parse(cmdLine!.slice(4)) as string[];
  t.equal(cmd[0], 'node');
  t.equal(cmd.at(-1), 'dist/src/main.js');
  t.same(cmd.slice(1, -1), startFlags());
  t.ok(startFlags().includes('--enable-source-maps'), 'stack traces name TypeScript lines');
  t.ok(
    startFlags().some((flag) => flag.startsWith('--max-semi-space-size=')),
    'a bounded young generation (README, Performance: memory)',
  );
  const oldSpace = startFlags().find((flag) => flag.startsWith('--max-old-space-size='));
  t.ok(oldSpace, 'a bounded old generation');
  const limit = /limits: \{memory: (\d+)Mi\}/.exec(readFileSync('manifests/base/deployment.yaml', 'utf8'));
  t.ok(limit, 'the Deployment limits memory');
  t.ok(Number(oldSpace!.split('=')[1]) <= Number(limit![1]) / 2, 'the heap cap leaves half the container limit for code, buffers and the young generation');
});
