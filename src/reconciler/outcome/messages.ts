// Human messages for S3 failures: what failed, which API call, and what to do. Deterministic (no
// request ids, no times) so that a repeated failure leaves the status unchanged.
import { iamActionsFor } from '../../s3/iam-actions.js';
import { ANNOTATION } from '../rules/annotations.js';
import type { S3Error } from '../../s3/port.js';
import type { FieldFailure } from '../steps/diff.js';
import { failureClass } from './failure.js';
import { recoverable, terminal, type Verdict } from './verdict.js';

function advice(error: S3Error, bucket: string, path: string | undefined): string {
  switch (error.kind) {
    case 'access-denied':
      if (error.operation === 'AssumeRole') return assumeRoleAdvice(error);
      if (error.identity)
        return `the IAM role ${error.identity} (chosen by an IAMRoleSelector) is not allowed to do this: allow ${(iamActionsFor(error.operation) ?? [`s3:${error.operation}`]).join(' and ')} on arn:aws:s3:::${bucket} in that role's policy; it retries with backoff`;
      return `the hook's credentials are not allowed to do this: allow ${(iamActionsFor(error.operation) ?? [`s3:${error.operation}`]).join(' and ')} on arn:aws:s3:::${bucket} in its IAM policy; it retries with backoff`;
    case 'throttled':
      return 'S3 is throttling requests; the hook retries with backoff';
    case 'transient':
    case 'unknown':
      return 'S3 or the network failed; the hook retries with backoff';
    case 'aborted':
      return 'the hook ran out of time for this request; it continues at the next sync';
    case 'invalid':
      // S3-compatible stores answer InvalidArgument for APIs they lack, too.
      if (path) return `S3 rejected the value: fix ${path} (or, on an S3-compatible store without this API, remove it from the spec)`;
      if (error.operation === 'AssumeRole')
        return `STS refused the request the hook sent (${error.sent ?? 'AssumeRole'}): check the IAMRoleSelector's spec.arn and that the role allows sessions of an hour (MaxSessionDuration); the hook retries when the resource changes`;
      // A request of the hook's own making: say what was sent rather than blame the spec.
      if (error.sent)
        return `S3 refused the request the hook sent (${error.sent}). Check that the bucket's region (annotation ${ANNOTATION.region}, or the hook's AWS_REGION) is one this S3 endpoint serves, and that the store supports the spec settings named here; the hook retries when the resource changes`;
      return `S3 refused the ${error.operation} request the hook sent; the hook retries when the resource changes`;
    case 'unsupported':
      return path
        ? `this S3 endpoint does not implement ${error.operation}: remove ${path} from the spec to stop managing it`
        : `this S3 endpoint does not implement ${error.operation}`;
    case 'not-found':
      return 'the bucket disappeared while the hook worked on it; the next sync creates it again';
    case 'name-taken':
      return 'the name belongs to another account: choose another spec.name';
    case 'not-empty':
      return 'the bucket still holds objects';
  }
}

/** A refused AssumeRole: what to grant, and to whom (the trust policy is the usual gap). */
function assumeRoleAdvice(error: S3Error): string {
  const role = error.identity ?? 'the role';
  const missing = error.httpStatus === 404 ? ` (STS answered 404: does ${role} exist?)` : '';
  return `the hook may not assume the IAM role ${role}${missing}: the role's trust policy must allow the hook's own identity (its IRSA or Pod Identity role, or its user) sts:AssumeRole, and sts:TagSession for the session tag kubernetes-namespace (without it the hook assumes the role untagged), and the hook's IAM policy must allow sts:AssumeRole on ${role}; it retries with backoff`;
}

export function describeFailure(error: S3Error, bucket: string, path?: string): string {
  const what = path ? `${path}: ` : '';
  return `${what}${error.operation} failed with ${error.code}${error.httpStatus ? ` (HTTP ${error.httpStatus})` : ''}: ${advice(error, bucket, path)}.`;
}

/**
 * One verdict for a set of field failures: recoverable if any of them heals by retrying, and then named
 * after the first that does, since that is what the next retry is waiting for.
 */
export function failureVerdict(failures: FieldFailure[], bucket: string, ready?: Verdict['ready']): Verdict {
  const healing = failures.find((f) => failureClass(f.error).severity === 'recoverable');
  const { reason } = failureClass((healing ?? failures[0]!).error);
  const paths = failures.map((f) => f.path).join(', ');
  const details = failures.map((f) => describeFailure(f.error, bucket, f.path)).join(' ');
  const message = `Not in sync: ${paths}. ${details}`;
  return healing ? recoverable(reason, message, ready) : terminal(reason, message, ready);
}

/** A verdict for a single failed call outside any field (HeadBucket, CreateBucket, DeleteBucket). */
export function callFailureVerdict(error: S3Error, bucket: string): Verdict {
  const { reason, severity } = failureClass(error);
  const message = describeFailure(error, bucket);
  return severity === 'recoverable' ? recoverable(reason, message) : terminal(reason, message);
}

/** The name belongs to another AWS account (S3 bucket names are global). */
export function nameTakenVerdict(bucket: string, evidence: string): Verdict {
  return terminal(
    'NameTaken',
    `Bucket name "${bucket}" is taken by another AWS account (${evidence}). S3 bucket names are global: choose another spec.name. If the bucket is in this account, allow the hook s3:ListBucket on it.`,
  );
}

/**
 * The verdict of a pass an S3 call ended (outside any field), and whether the bucket may exist because
 * of it: a CreateBucket that failed retryably may have created the bucket (a reset or a deadline after
 * the store did the work), so the answer reports it and the next sync knows the unmarked bucket is ours.
 */
export function endedPass(error: S3Error, bucket: string): { verdict: Verdict; mayHaveCreated: boolean } {
  const verdict = error.kind === 'name-taken' ? nameTakenVerdict(bucket, `${error.operation} answered ${error.code}`) : callFailureVerdict(error, bucket);
  return { verdict, mayHaveCreated: error.operation === 'CreateBucket' && failureClass(error).transient };
}
