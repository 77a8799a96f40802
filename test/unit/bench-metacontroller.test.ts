// `npm run bench` runs Metacontroller itself in place of the stand-in when BENCH_METACONTROLLER names its
// binary and BENCH_METACONTROLLER_CRDS its CRD manifest (`npm run cluster:up` likewise with CLUSTER_METACONTROLLER
// and CLUSTER_METACONTROLLER_CRDS); a knob set wrong is refused at the start, in one sentence that says what
// to set, before anything long runs.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { metacontrollerBinaryFromEnv } from '../bench/cluster/setup.js';
import { metacontrollerBinary } from '../cluster/support/cluster.js';

t.test('the Metacontroller knobs', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-mc-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const binary = path.join(dir, 'metacontroller');
  writeFileSync(binary, '#!/bin/sh\n');
  chmodSync(binary, 0o755);
  const notExecutable = path.join(dir, 'plain');
  writeFileSync(notExecutable, '');
  chmodSync(notExecutable, 0o644);
  const crds = path.join(dir, 'crds.yaml');
  writeFileSync(crds, 'kind: CustomResourceDefinition\n');

  t.equal(metacontrollerBinaryFromEnv({}), undefined, 'neither set: the stand-in');
  t.equal(metacontrollerBinaryFromEnv({ BENCH_METACONTROLLER: '', BENCH_METACONTROLLER_CRDS: '' }), undefined, 'both empty: the stand-in');
  t.same(metacontrollerBinaryFromEnv({ BENCH_METACONTROLLER: binary, BENCH_METACONTROLLER_CRDS: crds }), { binary, crds });

  t.throws(() => metacontrollerBinaryFromEnv({ BENCH_METACONTROLLER_CRDS: crds }), {
    message: 'BENCH_METACONTROLLER_CRDS is set without BENCH_METACONTROLLER: set both (a Metacontroller binary and its CRD manifest) or neither',
  });
  t.throws(() => metacontrollerBinaryFromEnv({ BENCH_METACONTROLLER: notExecutable, BENCH_METACONTROLLER_CRDS: crds }), {
    message: new RegExp(`^BENCH_METACONTROLLER=${notExecutable} is not an executable file: point it at a Metacontroller binary`),
  });
  t.throws(() => metacontrollerBinaryFromEnv({ BENCH_METACONTROLLER: dir, BENCH_METACONTROLLER_CRDS: crds }), {
    message: new RegExp(`^BENCH_METACONTROLLER=${dir} is not an executable file`),
  });
  t.throws(() => metacontrollerBinaryFromEnv({ BENCH_METACONTROLLER: path.join(dir, 'missing') }), { message: /is not an executable file/ });
  t.throws(() => metacontrollerBinaryFromEnv({ BENCH_METACONTROLLER: binary }), {
    message: /^BENCH_METACONTROLLER needs BENCH_METACONTROLLER_CRDS: the CRD manifest of the same Metacontroller/,
  });
  t.throws(() => metacontrollerBinaryFromEnv({ BENCH_METACONTROLLER: binary, BENCH_METACONTROLLER_CRDS: path.join(dir, 'none.yaml') }), {
    message: /^BENCH_METACONTROLLER_CRDS=.*none\.yaml is not a readable file/,
  });

  // cluster:up's pair: the same checks, its own names in the messages.
  t.same(metacontrollerBinary({ CLUSTER_METACONTROLLER: binary, CLUSTER_METACONTROLLER_CRDS: crds }, 'CLUSTER_METACONTROLLER'), { binary, crds });
  t.equal(
    metacontrollerBinary({ BENCH_METACONTROLLER: binary, BENCH_METACONTROLLER_CRDS: crds }, 'CLUSTER_METACONTROLLER'),
    undefined,
    "the bench's knobs are not cluster:up's",
  );
  t.throws(() => metacontrollerBinary({ CLUSTER_METACONTROLLER: binary }, 'CLUSTER_METACONTROLLER'), {
    message: /^CLUSTER_METACONTROLLER needs CLUSTER_METACONTROLLER_CRDS: /,
  });
});
