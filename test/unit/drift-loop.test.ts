// The drift-loop guard's memory, as tables: what a pass remembers, withholds and blocks.
import t from 'tap';
import {
  blockedFields,
  DEFAULT_DRIFT_LOOP,
  driftLoopVerdict,
  memoryToKeep,
  newlyBlocked,
  recordCorrections,
  startPass,
  withheld,
  type LoopInput,
} from '../../src/reconciler/rules/drift-loop.js';
import type { DriftCorrections } from '../../src/reconciler/model/resource.js';

const NOW = new Date('2026-11-24T10:00:00Z');
const at = (minutesAgo: number) => new Date(NOW.getTime() - minutesAgo * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const V = 'spec.versioning';
const input = (previous: DriftCorrections | undefined, over: Partial<LoopInput> = {}): LoopInput => ({
  previous,
  requestedAt: undefined,
  managed: [V, 'spec.tagging'],
  now: NOW,
  settings: { corrections: 3, windowSeconds: 3600 },
  ...over,
});

t.test('startPass: what of the memory received still counts', async (t) => {
  const cases: Array<{ name: string; previous: DriftCorrections | undefined; over?: Partial<LoopInput>; want: DriftCorrections }> = [
    { name: 'no memory', previous: undefined, want: { fields: [] } },
    {
      name: 'corrections older than the window are forgotten',
      previous: { fields: [{ field: V, times: [at(90), at(30)] }] },
      want: { fields: [{ field: V, times: [at(30)] }] },
    },
    { name: 'a field with no recent correction is dropped', previous: { fields: [{ field: V, times: [at(61)] }] }, want: { fields: [] } },
    {
      name: 'a block keeps its evidence, however old',
      previous: { fields: [{ field: V, times: [at(300)], blockedAt: at(200) }] },
      want: { fields: [{ field: V, times: [at(300)], blockedAt: at(200) }] },
    },
    {
      name: 'a field no longer managed (ignore-field-drift) is forgotten, block included',
      previous: { fields: [{ field: 'spec.cors', times: [at(1)], blockedAt: at(1) }] },
      want: { fields: [] },
    },
    {
      name: 'a new requested-at starts over',
      previous: { requestedAt: 'a', fields: [{ field: V, times: [at(1)], blockedAt: at(1) }] },
      over: { requestedAt: 'b' },
      want: { requestedAt: 'b', fields: [] },
    },
    {
      name: 'a requested-at set for the first time starts over',
      previous: { fields: [{ field: V, times: [at(1)], blockedAt: at(1) }] },
      over: { requestedAt: 'x' },
      want: { requestedAt: 'x', fields: [] },
    },
    {
      name: 'the same requested-at keeps the memory',
      previous: { requestedAt: 'a', fields: [{ field: V, times: [at(1)] }] },
      over: { requestedAt: 'a' },
      want: { requestedAt: 'a', fields: [{ field: V, times: [at(1)] }] },
    },
    {
      name: 'the guard turned off (0) forgets everything',
      previous: { fields: [{ field: V, times: [at(1)], blockedAt: at(1) }] },
      over: { settings: { corrections: 0, windowSeconds: 3600 } },
      want: { fields: [] },
    },
  ];
  for (const c of cases) t.same(startPass(input(c.previous, c.over)).memory, c.want, c.name);
  const previous = { fields: [{ field: V, times: [at(1)] }] };
  const state = startPass(input(previous));
  recordCorrections(state, [V]);
  t.same(previous, { fields: [{ field: V, times: [at(1)] }] }, 'the memory received is never changed');
});

t.test('withheld: which differing fields may be written', async (t) => {
  const cases: Array<{ name: string; previous: DriftCorrections | undefined; differing: string[]; drift: boolean; held: string[]; blocked: string[] }> = [
    { name: 'first drift: written', previous: undefined, differing: [V], drift: true, held: [], blocked: [] },
    { name: 'below the limit: written', previous: { fields: [{ field: V, times: [at(20), at(10)] }] }, differing: [V], drift: true, held: [], blocked: [] },
    {
      name: 'at the limit and drifted again: withheld, blocked',
      previous: { fields: [{ field: V, times: [at(30), at(20), at(10)] }] },
      differing: [V, 'spec.tagging'],
      drift: true,
      held: [V],
      blocked: [V],
    },
    {
      name: 'a spec change is no correction: written',
      previous: { fields: [{ field: V, times: [at(30), at(20), at(10)] }] },
      differing: [V],
      drift: false,
      held: [],
      blocked: [],
    },
    {
      name: 'blocked: withheld, spec change or not',
      previous: { fields: [{ field: V, times: [at(30)], blockedAt: at(5) }] },
      differing: [V],
      drift: false,
      held: [V],
      blocked: [V],
    },
    {
      name: 'blocked and in sync now: nothing to withhold, still blocked',
      previous: { fields: [{ field: V, times: [at(30)], blockedAt: at(5) }] },
      differing: [],
      drift: true,
      held: [],
      blocked: [V],
    },
    {
      name: 'the corrections outside the window do not count',
      previous: { fields: [{ field: V, times: [at(90), at(80), at(10)] }] },
      differing: [V],
      drift: true,
      held: [],
      blocked: [],
    },
  ];
  for (const c of cases) {
    const state = startPass(input(c.previous));
    t.same(withheld(state, c.differing, c.drift), c.held, `${c.name}: withheld`);
    t.same(
      blockedFields(state.memory).map((e) => e.field),
      c.blocked,
      `${c.name}: blocked`,
    );
  }
  const off = startPass(input({ fields: [{ field: V, times: [at(3), at(2), at(1)] }] }, { settings: { corrections: 0, windowSeconds: 3600 } }));
  t.same(withheld(off, [V], true), [], 'the guard off withholds nothing');
});

t.test('recordCorrections: at most `limit` times per field, newest last', async (t) => {
  const state = startPass(input({ fields: [{ field: V, times: [at(30), at(20), at(10)] }] }));
  const memory = recordCorrections(state, [V, 'spec.tagging']);
  t.same(memory.fields, [
    { field: V, times: [at(20), at(10), at(0)] },
    { field: 'spec.tagging', times: [at(0)] },
  ]);
  t.same(memoryToKeep(startPass(input(undefined)).memory), undefined, 'nothing to remember: no status field');
  t.same(memoryToKeep(memory), memory);
});

t.test('a loop, pass by pass: N corrections, then blocked; requested-at lets it write again', async (t) => {
  let memory: DriftCorrections | undefined;
  const writes: number[] = [];
  for (let pass = 0; pass < 6; pass++) {
    const state = startPass(input(memory, { now: new Date(NOW.getTime() + pass * 60_000) }));
    const held = withheld(state, [V], true);
    const written = [V].filter((f) => !held.includes(f));
    writes.push(written.length);
    memory = memoryToKeep(recordCorrections(state, written));
  }
  t.same(writes, [1, 1, 1, 0, 0, 0], 'three corrections, then none');
  t.same(
    blockedFields(memory).map((e) => e.field),
    [V],
  );
  const again = startPass(input(memory, { requestedAt: '2026-11-24T11:00:00Z' }));
  t.same(withheld(again, [V], true), [], 'requested-at: written again');
});

t.test('newlyBlocked: what the metric counts', async (t) => {
  const blocked = (field: string) => ({ field, times: [at(1)], blockedAt: at(0) });
  t.same(newlyBlocked(undefined, { fields: [blocked(V)] }), [V]);
  t.same(newlyBlocked({ fields: [blocked(V)] }, { fields: [blocked(V), blocked('spec.cors')] }), ['spec.cors']);
  t.same(newlyBlocked({ fields: [{ field: V, times: [at(1)] }] }, { fields: [{ field: V, times: [at(1), at(0)] }] }), []);
  t.same(newlyBlocked({ fields: [blocked(V)] }, undefined), []);
});

t.test('driftLoopVerdict: terminal, checked at the drift interval, names field, count and the ways out', async (t) => {
  const v = driftLoopVerdict([{ field: V, times: [at(3), at(2), at(1)], blockedAt: at(0) }], 'b1', DEFAULT_DRIFT_LOOP);
  t.equal(v.terminal?.reason, 'DriftLoop');
  t.equal(v.resync, 'drift');
  t.match(
    v.terminal?.message,
    /put spec\.versioning 3 times \(last at 2026-11-24T09:59:00Z\) back to the spec and it drifted again each time, so it stopped writing that field \(a field corrected 5 times within 1 h is a drift loop/,
  );
  t.match(v.terminal?.message, /s3\.services\.k8s\.aws\/requested-at/);
  t.match(v.terminal?.message, /services\.k8s\.aws\/ignore-field-drift: spec\.versioning\./);
  const two = driftLoopVerdict(
    [
      { field: V, times: [], blockedAt: at(0) },
      { field: 'spec.cors', times: [at(1)], blockedAt: at(0) },
    ],
    'b1',
    { corrections: 4, windowSeconds: 600 },
  );
  t.match(
    two.terminal?.message,
    /spec\.versioning 0 times \(last at 2026-11-24T10:00:00Z\), spec\.cors 1 times .*those fields \(a field corrected 4 times within 10 min .*ignore-field-drift: spec\.versioning,spec\.cors\./,
  );
  t.match(driftLoopVerdict([{ field: V, times: [at(1)], blockedAt: at(0) }], 'b', { corrections: 2, windowSeconds: 90 }).terminal?.message, /within 90 s/);
});
