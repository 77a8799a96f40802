import t from 'tap';
import { buildStatus } from '../support/core.js';
import { kubeTime, resyncAfter } from '../../src/reconciler/steps/conditions.js';
import { arnOf } from '../../src/reconciler/model/arn.js';
import { inSync, recoverable, terminal } from '../../src/reconciler/outcome/verdict.js';

const T0 = new Date('2026-11-24T10:00:00.456Z');
const T1 = new Date('2026-11-24T10:05:00Z');
const settings = { driftCheckSeconds: 600, backoffMinSeconds: 5, backoffMaxSeconds: 300 };

t.equal(kubeTime(T0), '2026-11-24T10:00:00Z', 'second precision like metav1.Time');
t.equal(arnOf('b', 'eu-west-1'), 'arn:aws:s3:::b');
t.equal(arnOf('b', 'cn-north-1'), 'arn:aws-cn:s3:::b');
t.equal(arnOf('b', 'us-gov-west-1'), 'arn:aws-us-gov:s3:::b');

t.test('lastTransitionTime is kept while status and reason stay, reset when they change', async (t) => {
  const base = { generation: 1, metadata: { region: 'eu-west-1' }, location: '/b' };
  const first = buildStatus({ ...base, previous: undefined, verdict: inSync('ok'), now: T0 });
  t.same(
    first.conditions?.map((c) => c.lastTransitionTime),
    ['2026-11-24T10:00:00Z', '2026-11-24T10:00:00Z'],
  );
  const same = buildStatus({ ...base, previous: first, verdict: inSync('ok, reworded'), now: T1 });
  t.same(
    same.conditions?.map((c) => c.lastTransitionTime),
    ['2026-11-24T10:00:00Z', '2026-11-24T10:00:00Z'],
    'message change is no transition',
  );
  const failed = buildStatus({ ...base, previous: first, verdict: recoverable('Throttled', 'slow down'), now: T1 });
  t.same(
    failed.conditions?.map((c) => [c.type, c.status, c.lastTransitionTime]),
    [
      ['ACK.Recoverable', 'True', '2026-11-24T10:05:00Z'],
      ['ACK.ResourceSynced', 'False', '2026-11-24T10:05:00Z'],
      ['Reconciling', 'True', '2026-11-24T10:05:00Z'],
      ['Ready', 'False', '2026-11-24T10:05:00Z'],
    ],
  );
  const stuck = buildStatus({ ...base, previous: failed, verdict: terminal('NameTaken', 'taken'), now: T1 });
  t.same(
    stuck.conditions?.map((c) => [c.type, c.status, c.reason]),
    [
      ['ACK.Terminal', 'True', 'NameTaken'],
      ['ACK.ResourceSynced', 'False', 'NameTaken'],
      ['Stalled', 'True', 'NameTaken'],
      ['Ready', 'False', 'NameTaken'],
    ],
    'terminal: ACK.Terminal first, Stalled for kstatus, Ready last',
  );
  t.same(Object.keys(first), ['ackResourceMetadata', 'conditions', 'location', 'observedGeneration']);
});

t.test('resync: drift interval, backoff from the problem age, none when terminal', async (t) => {
  const status = (since: string) => ({
    conditions: [{ type: 'ACK.Recoverable', status: 'True' as const, reason: 'X', message: '', lastTransitionTime: since }],
  });
  t.equal(resyncAfter(inSync('ok'), {}, T1, settings), 600);
  t.equal(resyncAfter(terminal('X', 'y'), {}, T1, settings), undefined);
  t.equal(resyncAfter(recoverable('X', 'y'), status('2026-11-24T10:05:00Z'), T1, settings), 5);
  t.equal(resyncAfter(recoverable('X', 'y'), status('2026-11-24T10:04:00Z'), T1, settings), 60);
  t.equal(resyncAfter(recoverable('X', 'y'), status('2026-11-24T08:00:00Z'), T1, settings), 300);
});
