// The status step as a table, as crossplane-runtime tests its reconciler: (previous status, verdict) ->
// conditions in order, which of them moved their lastTransitionTime, and when to call again. Pure: no
// S3, no app. Every row names the rule it pins.
import t from 'tap';
import { buildStatus } from '../support/core.js';
import type { BucketStatus, Condition } from '../../src/reconciler/model/resource.js';
import { resyncAfter } from '../../src/reconciler/steps/conditions.js';
import { inSync, observedDrift, progressing, recoverable, settled, terminal, terminalRechecked, type Verdict } from '../../src/reconciler/outcome/verdict.js';

const BEFORE = '2026-11-24T09:00:00Z';
const NOW = new Date('2026-11-24T10:00:00Z');
const settings = { driftCheckSeconds: 600, backoffMinSeconds: 5, backoffMaxSeconds: 300 };

/** A previous status from [type, status, reason] triples, all dated BEFORE. */
function previous(...conditions: Array<[string, 'True' | 'False', string]>): BucketStatus {
  return { conditions: conditions.map(([type, status, reason]): Condition => ({ type, status, reason, message: '', lastTransitionTime: BEFORE })) };
}

interface Row {
  name: string;
  previous: BucketStatus | undefined;
  verdict: Verdict;
  /** type=status:reason, in order; a trailing * marks a condition whose lastTransitionTime is NOW. */
  conditions: string[];
  resync: number | undefined;
}

const synced = previous(['ACK.ResourceSynced', 'True', 'Synced'], ['Ready', 'True', 'Available']);
const throttledAnHourAgo = previous(
  ['ACK.Recoverable', 'True', 'Throttled'],
  ['ACK.ResourceSynced', 'False', 'Throttled'],
  ['Reconciling', 'True', 'Throttled'],
  ['Ready', 'False', 'Throttled'],
);
const notOwnedAnHourAgo = previous(
  ['ACK.Terminal', 'True', 'NotOwned'],
  ['ACK.ResourceSynced', 'False', 'NotOwned'],
  ['Stalled', 'True', 'NotOwned'],
  ['Ready', 'False', 'NotOwned'],
);

const rows: Row[] = [
  {
    name: 'first sync, in sync',
    previous: undefined,
    verdict: inSync('ok'),
    conditions: ['ACK.ResourceSynced=True:Synced*', 'Ready=True:Available*'],
    resync: 600,
  },
  {
    name: 'quiet resync keeps every time',
    previous: synced,
    verdict: inSync('ok, other words'),
    conditions: ['ACK.ResourceSynced=True:Synced', 'Ready=True:Available'],
    resync: 600,
  },
  {
    name: 'a recoverable failure after Synced: Recoverable first, Reconciling for kstatus, Ready last',
    previous: synced,
    verdict: recoverable('Throttled', 'slow down'),
    conditions: ['ACK.Recoverable=True:Throttled*', 'ACK.ResourceSynced=False:Throttled*', 'Reconciling=True:Throttled*', 'Ready=False:Throttled*'],
    resync: 5,
  },
  {
    name: 'the same failure an hour on: no transition, backoff from its age (clamped)',
    previous: throttledAnHourAgo,
    verdict: recoverable('Throttled', 'slow down'),
    conditions: ['ACK.Recoverable=True:Throttled', 'ACK.ResourceSynced=False:Throttled', 'Reconciling=True:Throttled', 'Ready=False:Throttled'],
    resync: 300,
  },
  {
    name: 'another recoverable reason is a transition (the backoff starts again)',
    previous: throttledAnHourAgo,
    verdict: recoverable('S3Unavailable', '503'),
    conditions: [
      'ACK.Recoverable=True:S3Unavailable*',
      'ACK.ResourceSynced=False:S3Unavailable*',
      'Reconciling=True:S3Unavailable*',
      'Ready=False:S3Unavailable*',
    ],
    resync: 5,
  },
  {
    name: 'terminal: Terminal first, Stalled for kstatus, no Reconciling, no requeue',
    previous: synced,
    verdict: terminal('NameTaken', 'taken'),
    conditions: ['ACK.Terminal=True:NameTaken*', 'ACK.ResourceSynced=False:NameTaken*', 'Stalled=True:NameTaken*', 'Ready=False:NameTaken*'],
    resync: undefined,
  },
  {
    name: 'terminal but re-checked: shown as terminal, backed off from the Terminal condition',
    previous: notOwnedAnHourAgo,
    verdict: terminalRechecked('NotOwned', 'not ours'),
    conditions: ['ACK.Terminal=True:NotOwned', 'ACK.ResourceSynced=False:NotOwned', 'Stalled=True:NotOwned', 'Ready=False:NotOwned'],
    resync: 300,
  },
  {
    name: 'terminal but re-checked, the first time: the shortest backoff',
    previous: synced,
    verdict: terminalRechecked('ManagedElsewhere', 'theirs'),
    conditions: [
      'ACK.Terminal=True:ManagedElsewhere*',
      'ACK.ResourceSynced=False:ManagedElsewhere*',
      'Stalled=True:ManagedElsewhere*',
      'Ready=False:ManagedElsewhere*',
    ],
    resync: 5,
  },
  {
    name: 'healed: the problem conditions go, Synced and Ready move',
    previous: throttledAnHourAgo,
    verdict: inSync('ok'),
    conditions: ['ACK.ResourceSynced=True:Synced*', 'Ready=True:Available*'],
    resync: 600,
  },
  {
    name: 'a step on the way (Emptying): called again in a second',
    previous: undefined,
    verdict: progressing('Emptying', 'some deleted'),
    conditions: ['ACK.ResourceSynced=False:Emptying*', 'Reconciling=True:Emptying*', 'Ready=False:Emptying*'],
    resync: 1,
  },
  {
    name: 'the reservation before a create: called again once its status is written (0.2 s)',
    previous: undefined,
    verdict: progressing('Creating', 'reserved', 'next'),
    conditions: ['ACK.ResourceSynced=False:Creating*', 'Reconciling=True:Creating*', 'Ready=False:Creating*'],
    resync: 0.2,
  },
  {
    name: 'read-only drift: Ready stays True, nothing to reconcile for kstatus',
    previous: synced,
    verdict: observedDrift('ReadOnlyDrift', 'differs'),
    conditions: ['ACK.ResourceSynced=False:ReadOnlyDrift*', 'Ready=True:Available'],
    resync: 600,
  },
  {
    name: 'settled (deleted): no requeue',
    previous: synced,
    verdict: settled('Deleted', 'gone'),
    conditions: ['ACK.ResourceSynced=False:Deleted*', 'Reconciling=True:Deleted*', 'Ready=False:Deleted*'],
    resync: undefined,
  },
];

for (const row of rows) {
  t.test(row.name, async (t) => {
    const status = buildStatus({ previous: row.previous, verdict: row.verdict, generation: 1, now: NOW, metadata: undefined, location: undefined });
    const shown = (status.conditions ?? []).map((c) => `${c.type}=${c.status}:${c.reason}${c.lastTransitionTime === '2026-11-24T10:00:00Z' ? '*' : ''}`);
    t.same(shown, row.conditions);
    t.equal(resyncAfter(row.verdict, status, NOW, settings), row.resync, 'resyncAfterSeconds');
  });
}
