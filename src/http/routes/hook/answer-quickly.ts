// preHandler 3: Metacontroller's echoes and frequent resyncs, answered from the status alone (the core's
// zero-cost answer), before any per-request setup (logger child, deadline, S3 clients). Answered here,
// the rest of the chain and the handler do not run. Dry runs always look at S3.
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction, preHandlerHookHandler } from 'fastify';
import { answerQuickly as quick } from '../../../reconciler/index.js';
import { callOf, type CallDeps } from './call.js';
import type { Finish } from './finish.js';

export function answerQuickly(base: CallDeps, finish: Finish): preHandlerHookHandler {
  return function answerQuickly(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) {
    const call = callOf(request);
    const response = call.dry ? undefined : quick(call, call.role.kind === 'default' ? base : { ...base, role: call.role });
    if (response) void reply.send(finish(call, response, true));
    else done();
  };
}
