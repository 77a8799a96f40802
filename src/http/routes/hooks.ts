// POST /sync and POST /finalize: Metacontroller's CompositeController hooks. Every reconcile outcome is
// 200 with the full status; only a malformed envelope is 4xx, only a bug 5xx.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ReconcilerDeps } from '../../reconciler/deps.js';
import { finalize } from '../../reconciler/finalize.js';
import type { BucketResource, HookResponse } from '../../reconciler/resource.js';
import { sync } from '../../reconciler/sync.js';
import { isValidStatus } from '../../schema/validate.js';
import { envelopeSchema } from '../envelope-schema.js';
import { NotFinalizingError, WrongKindError } from '../errors.js';

interface Envelope {
  parent: BucketResource;
  finalizing?: boolean;
}

const API_VERSION = 's3.services.k8s.aws/v1alpha1';

function checkedParent(request: FastifyRequest<{ Body: Envelope }>): BucketResource {
  const parent = request.body.parent;
  if (parent.apiVersion !== API_VERSION || parent.kind !== 'Bucket') throw new WrongKindError(parent.apiVersion, parent.kind);
  if (parent.status !== undefined && !isValidStatus(parent.status)) {
    // Our own status, mangled: reconcile from S3 alone rather than trust it.
    request.log.warn('parent.status does not match the status schema; ignoring it');
    const { status: _ignored, ...rest } = parent;
    return rest;
  }
  return parent;
}

export function registerHookRoutes(app: FastifyInstance, base: Omit<ReconcilerDeps, 'log'>): void {
  const handle = async (request: FastifyRequest<{ Body: Envelope }>, finalizing: boolean): Promise<HookResponse> => {
    const parent = checkedParent(request);
    const spec = parent.spec as { name?: unknown } | undefined;
    const log = request.log.child({
      namespace: parent.metadata.namespace,
      name: parent.metadata.name,
      generation: parent.metadata.generation,
      bucket: typeof spec?.name === 'string' ? spec.name : undefined,
    });
    const deps: ReconcilerDeps = { ...base, log };
    const response = finalizing ? await finalize(parent, deps) : await sync(parent, deps);
    log.debug({ response }, finalizing ? 'finalize answered' : 'sync answered');
    return response;
  };
  const schema = { body: envelopeSchema };
  app.post<{ Body: Envelope }>('/sync', { schema }, (request) => handle(request, request.body.finalizing === true));
  app.post<{ Body: Envelope }>('/finalize', { schema }, (request) => {
    if (request.body.finalizing !== true) throw new NotFinalizingError();
    return handle(request, true);
  });
}
