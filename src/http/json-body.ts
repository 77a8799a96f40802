// The JSON body parser: Fastify's own (same prototype-poisoning rules, same body limit, checked before
// reading), behind a nesting-depth check. V8's JSON.parse copes with any depth, but much of what runs
// after it (JSON.stringify, structuredClone, the spec hash in quick.ts) recurses, so a body of 100,000
// nested arrays would overflow the stack mid-reconcile and answer 500. Refusing it up front costs one
// pass over the characters. A real Bucket request nests about 10 levels (managedFields are the deepest).
import createError from '@fastify/error';
import type { FastifyInstance } from 'fastify';

export const MAX_JSON_DEPTH = 100;

export const TooDeepError = createError<[number]>('HOOK_JSON_TOO_DEEP', 'the JSON body nests deeper than %d levels; a Metacontroller request never does', 400);

/** True when `text` opens more than `max` arrays/objects inside each other (strings are skipped). */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}

export function registerJsonParser(app: FastifyInstance, maxDepth = MAX_JSON_DEPTH): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (nestsDeeperThan(text, maxDepth)) {
      done(new TooDeepError(maxDepth), undefined);
      return;
    }
    void parse(request, text, done);
  });
}
