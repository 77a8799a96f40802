// preHandler 2: the body written for replay (CAPTURE_DIR); dry runs change nothing and are not captured.
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction, preHandlerHookHandler } from 'fastify';
import type { Capture } from '../../capture.js';
import { callOf, subjectOf } from './call.js';

export function captureCall(capture: Capture | undefined): preHandlerHookHandler {
  return function captureCall(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) {
    const call = callOf(request);
    if (!call.dry) capture?.record(request.body, subjectOf(call.parent), call.hook, request.log);
    done();
  };
}
