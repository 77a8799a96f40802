// POST /customize: the CompositeController's customize hook. Metacontroller sends {controller, parent}
// (no children, no related) and caches the answer per Bucket uid and generation for 20 minutes; the
// objects the answer's rules select arrive in `related` of every /sync and /finalize, and a change to
// any of them re-triggers the Bucket's sync. Two consumers, each with its own rules:
// - role selection (reconciler/roles.ts): the Bucket's Namespace (its labels) and every IAMRoleSelector;
// - the coordinates ConfigMap (reconciler/coordinates.ts): the ConfigMap a Bucket names, so that the
//   sync hook sees one of that name the Bucket does not own.
// Same authentication as the hooks (app.ts lists the route among HOOK_ROUTES; auth.ts guards them).
import type { FastifyInstance } from 'fastify';
import { customizeAnswer } from '../../reconciler/rules/coordinates.js';
import type { BucketResource } from '../../reconciler/model/resource.js';
import { roleRelatedResources } from '../../reconciler/rules/roles.js';
import { envelopeSchema } from '../envelope-schema.js';
import { WrongKindError } from '../errors.js';

const API_VERSION = 's3.services.k8s.aws/v1alpha1';

/** A related-resource rule of Metacontroller's customize response (RelatedResourceRule). */
export interface RelatedResourceRule {
  apiVersion: string;
  resource: string;
  namespace?: string;
  names?: string[];
}

/** The customize answer for one Bucket: the role selection's rules, then the ConfigMap's (when it opted in). */
export function relatedResourcesOf(parent: BucketResource): { relatedResources: RelatedResourceRule[] } {
  return { relatedResources: [...roleRelatedResources(parent), ...customizeAnswer(parent).relatedResources] };
}

export function registerCustomizeRoute(app: FastifyInstance): void {
  app.post<{ Body: { parent: BucketResource } }>('/customize', { schema: { body: envelopeSchema } }, (request, reply) => {
    const { parent } = request.body;
    if (parent.apiVersion !== API_VERSION || parent.kind !== 'Bucket') throw new WrongKindError(parent.apiVersion, parent.kind);
    void reply.send(relatedResourcesOf(parent));
  });
}
