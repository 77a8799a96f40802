// The sync hook as one straight pipeline: gate -> observe -> claim -> apply (diff and writes, a create
// included) -> status. Each step is a file of its own; this one only passes their results on, and turns
// an S3 refusal anywhere in the pass into the answer that names it.
import { isS3Error } from '../../s3/port.js';
import { apply } from './apply.js';
import type { Changes } from '../model/changes.js';
import { claimStep } from './claim.js';
import type { ReconcilerDeps } from '../model/deps.js';
import { gate } from './gate.js';
import { endedPass } from '../outcome/messages.js';
import { observe } from './observe.js';
import { status, type Answer, type HookCall } from './status.js';
import type { HookResponse } from '../model/resource.js';

/** `quick`: the zero-cost answer may be given. `changes` is filled as the pass goes, for the events (events.ts). */
export async function sync(call: HookCall, deps: ReconcilerDeps, changes: Changes, quick: boolean, signal?: AbortSignal): Promise<HookResponse> {
  const answer = await pass(call, deps, changes, quick, signal);
  return status(call, deps, answer);
}

async function pass(call: HookCall, deps: ReconcilerDeps, changes: Changes, quick: boolean, signal?: AbortSignal): Promise<Answer> {
  const passed = gate(call, deps, quick);
  if ('answer' in passed) return passed.answer;
  const { desired, inputs } = passed;
  const subject = { bucket: desired.bucketName, region: desired.region };
  let claim = passed.claim;
  try {
    const port = deps.s3(desired.region);
    const seen = await observe(passed.checked, port, claim, signal, passed.reportedBefore);
    const plan = claimStep(call.parent, passed, seen, deps);
    claim = plan.claim;
    if (plan.kind === 'answer') return { verdict: plan.verdict, subject: { ...subject, reported: plan.reported, claim }, inputs };
    const done = await apply(call.parent, plan, port, deps, changes, signal);
    return { verdict: done.verdict, subject: { ...subject, reported: done.reported, claim }, inputs, driftCorrections: done.corrections };
  } catch (err) {
    if (!isS3Error(err)) throw err;
    deps.log.warn({ operation: err.operation, code: err.code }, 'S3 refused a call');
    const { verdict, mayHaveCreated } = endedPass(err, desired.bucketName);
    // Keep reporting a bucket we reported before, so a passing failure does not blank its ARN; and one
    // the failed call may have created. A reserved name that turns out to be taken is not ours to report.
    const stillOurs = err.kind !== 'name-taken' && passed.reportedBefore;
    return { verdict, subject: { ...subject, reported: mayHaveCreated || stillOurs, claim }, inputs };
  }
}
