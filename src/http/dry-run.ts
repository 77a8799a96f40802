// The dry-run marker of a hook request: `?dryRun=true` or the header `X-Bucket-Hook-Dry-Run: true`.
// Metacontroller never sends it; operators do (npm run replay, curl). A misspelt value is refused
// rather than read as "no": a typo must not turn a look into a real write or delete.
import createError from '@fastify/error';
import type { FastifyRequest } from 'fastify';

export const DRY_RUN_HEADER = 'x-bucket-hook-dry-run';

export const BadDryRunError = createError<[string]>('HOOK_BAD_DRY_RUN', 'the dry-run marker must be "true" or "false", got "%s"', 400);

function one(value: unknown): boolean {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const lowered = text.trim().toLowerCase();
  // A bare `?dryRun` asks for a dry run too.
  if (lowered === 'true' || lowered === '1' || lowered === '') return true;
  if (lowered === 'false' || lowered === '0') return false;
  throw new BadDryRunError(text);
}

/** A repeated parameter arrives as an array: any true among them makes it a dry run (the safe side). */
function flag(value: unknown): boolean {
  if (value === undefined) return false;
  return (Array.isArray(value) ? value : [value]).map(one).some(Boolean);
}

/** True when the request asks for a dry run (either form; either one saying true is enough). */
export function isDryRun(request: FastifyRequest): boolean {
  const query = (request.query ?? {}) as Record<string, unknown>;
  const fromQuery = flag(query.dryRun);
  const fromHeader = flag(request.headers[DRY_RUN_HEADER]);
  return fromQuery || fromHeader;
}
