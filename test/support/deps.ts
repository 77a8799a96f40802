// Reconciler dependencies for tests: a fake S3, a settable clock, a silent (or recording) logger, and the
// demo claim key that signed the recorded hooks/ bodies (hooks/demo-claim-key, public: never a real key).
import { readFileSync } from 'node:fs';
import { ClaimKey } from '../../src/reconciler/rules/claim-proof.js';
import type { Log, ReconcilerDeps } from '../../src/reconciler/model/deps.js';
import type { S3PortFactory } from '../../src/s3/port.js';

export interface LogLine {
  level: string;
  obj: object;
  msg: string;
}

export function recordingLog(lines: LogLine[] = []): Log & { lines: LogLine[] } {
  const at = (level: string) => (obj: object, msg: string) => void lines.push({ level, obj, msg });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** The key of hooks/demo-claim-key: the quick start's hook uses it too, so the recorded claims verify. */
export const DEMO_CLAIM_KEY = ClaimKey.fromSecret(readFileSync(new URL('../../hooks/demo-claim-key', import.meta.url), 'utf8').trim());

export function testDeps(s3: S3PortFactory, clock: { now: Date } = { now: new Date('2026-11-24T10:00:00Z') }): ReconcilerDeps & { clock: { now: Date } } {
  return {
    s3,
    clock,
    now: () => clock.now,
    defaults: { region: 'eu-west-1', deletionPolicy: 'delete' },
    resync: { driftCheckSeconds: 600, backoffMinSeconds: 5, backoffMaxSeconds: 300 },
    claimKey: DEMO_CLAIM_KEY,
    log: recordingLog(),
  };
}
