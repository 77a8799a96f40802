// preHandler 4: every later line of the request (the error handler's, "request completed") names the Bucket.
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction, preHandlerHookHandler } from 'fastify';
import { bucketNameHint } from '../../../reconciler/rules/desired.js';
import { callOf, subjectOf } from './call.js';

export const bindLogger: preHandlerHookHandler = function bindLogger(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) {
  const call = callOf(request);
  const log = request.log.child({ ...subjectOf(call.parent), bucket: bucketNameHint(call.parent), ...(call.dry ? { dryRun: true } : {}) });
  request.log = reply.log = log;
  if (call.statusIgnored) log.warn('parent.status does not match the status schema; ignoring it');
  done();
};
