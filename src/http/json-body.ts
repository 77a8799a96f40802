// The JSON body parser: Fastify's own (same prototype-poisoning rules, same body limit, checked before
// reading), plus a nesting-depth limit. V8's JSON.parse copes with any depth, but much of what runs
// after it (JSON.stringify, structuredClone, the spec hash in quick.ts) recurses, so a body of 100,000
// nested arrays would overflow the stack mid-reconcile and answer 500. The parsed value is walked once,
// never deeper than the limit (so the walk itself cannot overflow); that costs a fraction of what a
// pass over the characters did (profiled: the text scan took as long as JSON.parse on the echo path).
// A real Bucket request nests about 10 levels (managedFields are the deepest).
import createError from '@fastify/error';
import type { FastifyInstance } from 'fastify';
import { nestsDeeperThan } from '../reconciler/model/canonical.js';

// The scan lives in the core, which bounds spec.policy's nesting with it too.
export { nestsDeeperThan };

export const MAX_JSON_DEPTH = 100;

export const TooDeepError = createError<[number]>('HOOK_JSON_TOO_DEEP', 'the JSON body nests deeper than %d levels; a Metacontroller request never does', 400);

/** The same test on a parsed value: an array or object at nesting level `level` (1 = the value itself) or deeper. Recurses at most `max + 1` levels. */
export function valueNestsDeeperThan(value: unknown, max: number, level = 1): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (level > max) return true;
  if (Array.isArray(value)) {
    for (const item of value) if (valueNestsDeeperThan(item, max, level + 1)) return true;
    return false;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) if (valueNestsDeeperThan(record[key], max, level + 1)) return true;
  return false;
}

export function registerJsonParser(app: FastifyInstance, maxDepth = MAX_JSON_DEPTH): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  // JSON only: Fastify also parses text/plain by default, and such a body then failed the envelope
  // schema with a 400; every other content type is now Fastify's 415 (FST_ERR_CTP_INVALID_MEDIA_TYPE).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    void parse(request, text, (err: Error | null, value?: unknown) => {
      // A refused body that is also too deep says so, whatever else is wrong with it (the scan runs
      // only on this rare path).
      if (err) done(nestsDeeperThan(text, maxDepth) ? new TooDeepError(maxDepth) : err, undefined);
      else if (valueNestsDeeperThan(value, maxDepth)) done(new TooDeepError(maxDepth), undefined);
      else done(null, value);
    });
  });
}
