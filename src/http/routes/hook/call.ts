// One hook call as the route's hooks share it (request.hookCall), read from the envelope once.
import type { FastifyRequest } from 'fastify';
import { noChanges, type Changes } from '../../../reconciler/model/changes.js';
import type { ReconcilerDeps } from '../../../reconciler/model/deps.js';
import type { HookCall } from '../../../reconciler/index.js';
import type { BucketResource, HookResponse, ObjectMap } from '../../../reconciler/model/resource.js';
import { chooseRole, type RoleChoice, type RoleSelectorRules } from '../../../reconciler/rules/roles.js';
import type { Regarding } from '../../../events/recorder.js';
import { isValidStatus } from '../../../schema/validate.js';
import { isDryRun } from '../../dry-run.js';
import { NotFinalizingError, WrongKindError } from '../../errors.js';

export interface Envelope {
  parent: BucketResource;
  children?: ObjectMap;
  related?: ObjectMap;
  finalizing?: boolean;
}

const API_VERSION = 's3.services.k8s.aws/v1alpha1';

/** One hook call, as the hooks of the chain see it. */
export interface EdgeCall extends HookCall {
  dry: boolean;
  /** The parent's status was dropped because it failed the status schema. */
  statusIgnored: boolean;
  /** What the full reconcile changed in S3, for the events. */
  changes: Changes;
  /** The identity of its S3 calls, from the IAMRoleSelectors in `related` (the hook's own when none matches). */
  role: RoleChoice;
  started: number;
  /** Set once answered: what was answered, how long it took, and whether S3 was involved. */
  answer?: { response: HookResponse; seconds: number; quick: boolean };
  /** A full reconcile started (a 5xx after this is a failed reconcile, not a refused request). */
  ran: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    hookCall: EdgeCall | null;
  }
}

export function callOf(request: FastifyRequest): EdgeCall {
  // readCall runs first on both routes; a handler or hook without it is a wiring bug.
  if (!request.hookCall) throw new Error('hook call read before readCall');
  return request.hookCall;
}

/** The call read from the envelope, checked once; throws the 4xx errors of a malformed one. */
export function readEnvelope(request: FastifyRequest, finalizingRoute: boolean, started: number, roleSelectors: RoleSelectorRules | undefined): EdgeCall {
  const body = request.body as Envelope;
  if (finalizingRoute && body.finalizing !== true) throw new NotFinalizingError();
  const dry = isDryRun(request);
  const { parent: received } = body;
  if (received.apiVersion !== API_VERSION || received.kind !== 'Bucket') throw new WrongKindError(received.apiVersion, received.kind);
  let parent = received;
  let statusIgnored = false;
  if (received.status !== undefined && !isValidStatus(received.status)) {
    // Our own status, mangled: reconcile from S3 alone rather than trust it.
    const { status: _ignored, ...rest } = received;
    parent = rest;
    statusIgnored = true;
  }
  const observed = { children: body.children, related: body.related };
  const role = chooseRole(parent, body.related, roleSelectors);
  return { hook: body.finalizing === true ? 'finalize' : 'sync', dry, parent, statusIgnored, observed, changes: noChanges(), role, started, ran: false };
}

/** The Event's subject: the Bucket as received. */
export function regardingOf(parent: BucketResource): Regarding {
  const { namespace, name, uid, resourceVersion } = parent.metadata;
  return { apiVersion: parent.apiVersion, kind: parent.kind, namespace: namespace ?? '', name, uid, resourceVersion };
}

export function subjectOf(parent: BucketResource): { namespace: string | undefined; name: string; generation: number | undefined } {
  return { namespace: parent.metadata.namespace, name: parent.metadata.name, generation: parent.metadata.generation };
}

/** The deps of the request without its logger: the role's S3 session and account where one was chosen. */
export type CallDeps = Omit<ReconcilerDeps, 'log'>;
