// preHandler 1: the envelope checked once (kind, status schema, dry run, which hook) and the role chosen.
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction, preHandlerHookHandler } from 'fastify';
import type { RoleSelectorRules } from '../../../reconciler/rules/roles.js';
import { readEnvelope } from './call.js';

export function readCall(finalizingRoute: boolean, now: () => number, roleSelectors: RoleSelectorRules | undefined): preHandlerHookHandler {
  return function readCall(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) {
    try {
      request.hookCall = readEnvelope(request, finalizingRoute, now(), roleSelectors);
    } catch (err) {
      done(err as Error);
      return;
    }
    done();
  };
}
