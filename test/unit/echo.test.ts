// What messages may repeat of user input (reconciler/echo.ts): values cut with a marker that counts
// what was left out, lists that name ten and count the rest, and a ceiling on every condition message
// (buildStatus, the IAMRoleSelected condition), so no input makes the answer grow with it.
import t from 'tap';
import { buildStatus, withRoleCondition } from '../support/core.js';
import { boundedMessage, clipped, listed, MESSAGE_MAX_CHARS, quoted } from '../../src/reconciler/outcome/echo.js';
import { ignoredFields } from '../../src/reconciler/rules/ignore-drift.js';
import { pausedOf } from '../../src/reconciler/rules/pause.js';
import { terminal } from '../../src/reconciler/outcome/verdict.js';
import { bucketResource } from '../support/envelope.js';

t.test('quoted and clipped: whole up to 100 characters, then cut with the count of the rest (never inside a surrogate pair)', async (t) => {
  t.equal(quoted('spec.tagz'), '"spec.tagz"');
  t.equal(quoted('x'.repeat(100)), `"${'x'.repeat(100)}"`);
  t.equal(quoted('x'.repeat(139_000)), `"${'x'.repeat(100)}..." (cut: 138,900 more characters)`);
  t.equal(clipped('team-a'), 'team-a');
  t.equal(clipped('n'.repeat(253)), `${'n'.repeat(100)}... (cut: 153 more characters)`);
  t.equal(quoted(`${'x'.repeat(99)}😀tail`), `"${'x'.repeat(99)}..." (cut: 6 more characters)`, 'the emoji is left out whole');
});

t.test('listed: ten named, the rest counted', async (t) => {
  t.equal(listed(['a', 'b']), 'a, b');
  const many = Array.from({ length: 10_000 }, (_, i) => `s${i}`);
  t.equal(listed(many), 's0, s1, s2, s3, s4, s5, s6, s7, s8, s9 and 9,990 more');
  t.equal(listed(many.slice(0, 10)), 's0, s1, s2, s3, s4, s5, s6, s7, s8, s9');
});

t.test('boundedMessage: at most 4,096 characters, the cut marked with what it left out', async (t) => {
  t.equal(boundedMessage('short'), 'short');
  const long = 'y'.repeat(757_000);
  const bounded = boundedMessage(long);
  t.equal(bounded.length <= MESSAGE_MAX_CHARS, true, `${bounded.length} characters`);
  const [, kept, cut] = /^(y+) \[message cut: ([\d,]+) more characters\]$/.exec(bounded) ?? [];
  t.equal(Number(cut?.replace(/,/g, '')) + (kept?.length ?? 0), long.length, 'what is kept and what is counted add up');
});

t.test('every condition buildStatus writes is bounded, whatever the verdict carries', async (t) => {
  const status = buildStatus({
    previous: undefined,
    verdict: terminal('InvalidSpec', 'z'.repeat(200_000)),
    generation: 1,
    now: new Date('2026-11-24T10:00:00Z'),
    metadata: undefined,
    location: undefined,
  });
  t.same(
    status.conditions?.map((c) => c.type),
    ['ACK.Terminal', 'ACK.ResourceSynced', 'Stalled', 'Ready'],
  );
  for (const c of status.conditions ?? [])
    t.ok(c.message.length <= MESSAGE_MAX_CHARS && c.message.endsWith(' [message cut: 195,943 more characters]'), `${c.type}: ${c.message.length} characters`);
  t.ok(JSON.stringify(status).length < 4 * MESSAGE_MAX_CHARS + 1000);
});

t.test('the echoes: ignore-field-drift entries, the paused value, a selector name', async (t) => {
  const entries = ['spec.tagz', 'q'.repeat(5000), ...Array.from({ length: 20 }, (_, i) => `spec.x${i}`)].join(',');
  t.throws(() => ignoredFields({ 'services.k8s.aws/ignore-field-drift': entries }), {
    message: `names "spec.tagz", "${'q'.repeat(100)}..." (cut: 4,900 more characters), "spec.x0", "spec.x1", "spec.x2", "spec.x3", "spec.x4", "spec.x5", "spec.x6", "spec.x7" and 12 more, which are not a field this controller manages: list top-level spec fields, comma-separated, such as spec.tagging,spec.lifecycle`,
  });
  t.equal(
    pausedOf(bucketResource({ annotations: { 's3.services.k8s.aws/paused': 'p'.repeat(10_000) } })),
    `metadata.annotations["s3.services.k8s.aws/paused"] must be "true" or "false" (got "${'p'.repeat(100)}..." (cut: 9,900 more characters))`,
  );
  const role = withRoleCondition(
    { status: { conditions: [] }, children: [] },
    { kind: 'role', arn: 'arn:aws:iam::111122223333:role/team-a', selector: 's'.repeat(100_000), account: '111122223333' },
    [],
    new Date(),
  );
  t.ok((role.status.conditions?.[0]?.message.length ?? 0) <= MESSAGE_MAX_CHARS);
});
