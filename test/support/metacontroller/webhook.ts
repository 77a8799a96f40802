// One Metacontroller webhook call, shared by the in-memory driver (test/support/metacontroller-driver.ts)
// and the stand-in that runs against a real API server (test/cluster/metacontroller/): POST with a JSON
// body over node:http(s) (keep-alive, like Go's DefaultTransport; a CA for https as webhook.caBundle), the
// timeout covering the whole exchange (Go's http.Client.Timeout), and the response read as Metacontroller
// v4.17's loose v1 mode reads it (pkg/hooks/webhook.go): only 200 counts, 429 honours Retry-After, a known
// field of the wrong type fails the answer, unknown fields are ignored. What a strict reader or the
// contract would object to is returned as violations, for tests to assert.
import http from 'node:http';
import https from 'node:https';

export type JsonObject = Record<string, unknown>;

export type ViolationKind =
  | 'http-status' // anything but 200
  | 'invalid-json' // not JSON, or an empty body
  | 'wrong-type' // a known field with the wrong type (Metacontroller refuses the whole answer)
  | 'missing-status' // status absent or null: Metacontroller would wipe the status
  | 'finalized-on-sync' // `finalized` in an answer to a non-finalizing call
  | 'unknown-key' // a response key outside {status, children, resyncAfterSeconds, finalized}
  | 'children' // a child the CompositeController has no childResources rule for (or of a wrong shape)
  | 'status-rejected'; // the API server would refuse the status (schema types)

export interface WebhookViolation {
  kind: ViolationKind;
  detail: string;
}

export type WebhookOutcome =
  | { ok: true; response: JsonObject; code: string; violations: WebhookViolation[] }
  | { ok: false; code: string; error: string; retryAfterMs?: number; violations: WebhookViolation[] };

export interface WebhookCall {
  url: string;
  body: string;
  /** Authorization header value (e.g. "Bearer <token>"), when the webhook names one. */
  authorization?: string;
  timeoutMs: number;
  /** The CA bundle (PEM) for an https URL; unset: the system's roots. */
  ca?: string;
  /** Cancels the call (the controller is stopping): the outcome's code is then "stopped". */
  signal?: AbortSignal;
  /** true for the finalize hook (a `finalized` field is expected there). */
  finalizing: boolean;
  /** May the answer carry children? (a childResources rule exists); checked per child by `childAllowed`. */
  childAllowed?: (child: JsonObject) => boolean;
}

const RESPONSE_KEYS = new Set(['status', 'children', 'resyncAfterSeconds', 'finalized']);
const agents = { http: new http.Agent({ keepAlive: true, maxSockets: 256 }), https: new Map<string, https.Agent>() };

function agentFor(url: URL, ca: string | undefined): http.Agent {
  if (url.protocol === 'http:') return agents.http;
  const key = ca ?? '';
  let agent = agents.https.get(key);
  if (!agent) {
    agent = new https.Agent({ keepAlive: true, maxSockets: 256, minVersion: 'TLSv1.2', ...(ca ? { ca } : {}) });
    agents.https.set(key, agent);
  }
  return agent;
}

/** POST and read the whole answer; rejects on a transport error, the timeout or the caller's signal. */
export function postJson(
  url: string,
  body: string,
  options: { authorization?: string; timeoutMs: number; ca?: string; signal?: AbortSignal },
): Promise<{ status: number; text: string; retryAfter: string | null }> {
  const target = new URL(url);
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const transport = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(
      target,
      {
        method: 'POST',
        agent: agentFor(target, options.ca),
        signal,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...(options.authorization ? { authorization: options.authorization } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), retryAfter: res.headers['retry-after'] ?? null }),
        );
      },
    );
    req.on('error', (err) =>
      reject(timeout.aborted && !options.signal?.aborted ? Object.assign(new Error('webhook timeout'), { name: 'TimeoutError', cause: err }) : err),
    );
    req.end(body);
  });
}

export async function callWebhook(call: WebhookCall): Promise<WebhookOutcome> {
  const violations: WebhookViolation[] = [];
  const violation = (kind: ViolationKind, detail: string): void => void violations.push({ kind, detail });
  let res: Awaited<ReturnType<typeof postJson>>;
  try {
    res = await postJson(call.url, call.body, {
      ...(call.authorization ? { authorization: call.authorization } : {}),
      timeoutMs: call.timeoutMs,
      ...(call.ca ? { ca: call.ca } : {}),
      ...(call.signal ? { signal: call.signal } : {}),
    });
  } catch (err) {
    const code = call.signal?.aborted ? 'stopped' : (err as Error).name === 'TimeoutError' ? 'timeout' : 'transport';
    return { ok: false, code, error: String((err as Error).cause ?? err), violations };
  }
  const code = String(res.status);
  if (res.status !== 200) {
    violation('http-status', `${res.status}: ${res.text.slice(0, 200)}`);
    if (res.status === 429) return { ok: false, code, error: res.text, retryAfterMs: retryAfter(res.retryAfter), violations };
    return { ok: false, code, error: `unsupported status code: ${res.status} body: ${res.text.slice(0, 500)}`, violations };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(res.text);
  } catch {
    violation('invalid-json', res.text.slice(0, 200));
    return { ok: false, code, error: 'invalid JSON', violations };
  }
  const response = (parsed ?? {}) as JsonObject;
  if (typeof response !== 'object' || Array.isArray(response)) {
    violation('wrong-type', `the body is ${Array.isArray(response) ? 'an array' : typeof response}`);
    return { ok: false, code, error: 'not an object', violations };
  }
  const wrong = typeProblem(response);
  if (wrong) {
    violation('wrong-type', wrong);
    return { ok: false, code, error: wrong, violations };
  }
  for (const k of Object.keys(response)) if (!RESPONSE_KEYS.has(k)) violation('unknown-key', k);
  if (response.status === undefined || response.status === null) violation('missing-status', 'status absent or null: the stored status would be wiped');
  if (!call.finalizing && 'finalized' in response) violation('finalized-on-sync', `finalized: ${String(response.finalized)}`);
  for (const child of Array.isArray(response.children) ? (response.children as JsonObject[]) : []) {
    const meta = child.metadata as JsonObject | undefined;
    if (!call.childAllowed?.(child)) violation('children', `${String(child.kind)} ${String(meta?.name)}: no childResources rule for it`);
  }
  return { ok: true, code, response, violations };
}

/** sigs.k8s.io/json decoding into CompositeHookResponse: a known field of the wrong type fails the whole answer. */
function typeProblem(r: JsonObject): string | undefined {
  const isObject = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (r.status !== undefined && r.status !== null && !isObject(r.status)) return `status is ${typeof r.status}`;
  if (r.children !== undefined && r.children !== null && !Array.isArray(r.children)) return `children is ${typeof r.children}`;
  if (r.resyncAfterSeconds !== undefined && r.resyncAfterSeconds !== null && typeof r.resyncAfterSeconds !== 'number')
    return `resyncAfterSeconds is ${typeof r.resyncAfterSeconds}`;
  if (r.finalized !== undefined && r.finalized !== null && typeof r.finalized !== 'boolean') return `finalized is ${typeof r.finalized}`;
  return undefined;
}

/** Retry-After: integer seconds or an HTTP date; missing or unparseable means 0 (an immediate requeue). */
export function retryAfter(value: string | null): number {
  if (!value) return 0;
  if (/^\d+$/.test(value.trim())) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? 0 : Math.max(0, at - Date.now());
}
