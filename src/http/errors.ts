// Coded errors of the HTTP edge: each has a stable code and status; the error handler turns them into
// JSON {code, message}.
import createError from '@fastify/error';

export const WrongKindError = createError<[string, string]>(
  'HOOK_WRONG_KIND',
  "parent is %s (kind %s); this hook serves only s3.services.k8s.aws/v1alpha1 Bucket: check the CompositeController's parentResource",
  422,
);
export const NotFinalizingError = createError(
  'HOOK_NOT_FINALIZING',
  'the body says "finalizing": false; POST it to /sync (only Metacontroller\'s finalize calls belong on /finalize)',
  400,
);
/** Missing or wrong credentials on a hook route (the message says which; it never echoes a token). */
export const UnauthorizedError = createError<[string]>('HOOK_UNAUTHORIZED', '%s', 401);
