// A recording stand-in for the Kubernetes API server's events.k8s.io/v1 Events, on 127.0.0.1: no real API
// server runs on these machines. It takes what the hook's recorder sends (POST to create, merge PATCH
// for a series), checks each Event against Kubernetes' schema (kubernetes-models) and against the API
// server's own rules for events.k8s.io/v1 (pkg/apis/core/validation/events.go: required fields, lengths,
// reportingController a qualified name, series.count >= 2, the immutable fields on update), and records
// every request in order. Tests can require a bearer token, make it fail, or make it hang.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Event, type IEvent } from 'kubernetes-models/events.k8s.io/v1/Event';

export interface RecordedRequest {
  method: string;
  path: string;
  contentType: string | undefined;
  authorization: string | undefined;
  body: unknown;
  /** The HTTP status answered (or to be answered, while delayMs holds it). */
  status: number;
  /** The answer has been written (false while delayMs holds it). */
  answered: boolean;
  /** Why it was refused, when it was. */
  problem?: string;
}

type Json = Record<string, unknown>;

const EVENTS_PATH = /^\/apis\/events\.k8s\.io\/v1\/namespaces\/([^/]+)\/events(?:\/([^/]+))?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const MICRO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const IMMUTABLE = ['note', 'reason', 'type', 'action', 'regarding', 'related', 'reportingController', 'reportingInstance', 'eventTime'] as const;

/** The API server's rules for an events.k8s.io/v1 Event beyond its schema; '' when it passes. */
export function eventProblem(event: Json, namespace: string): string {
  try {
    new Event(event as unknown as IEvent).validate();
  } catch (err) {
    return `schema: ${(err as Error).message}`;
  }
  const meta = (event.metadata ?? {}) as Json;
  const regarding = (event.regarding ?? {}) as Json;
  const text = (k: string): string => (typeof event[k] === 'string' ? event[k] : '');
  if (typeof meta.name !== 'string' || !DNS_SUBDOMAIN.test(meta.name) || meta.name.length > 253)
    return `metadata.name "${String(meta.name)}" is not a DNS subdomain`;
  if (meta.namespace !== undefined && meta.namespace !== namespace) return 'metadata.namespace differs from the URL';
  if (regarding.namespace !== namespace) return 'regarding.namespace does not match the event namespace';
  if (!MICRO_TIME.test(text('eventTime'))) return `eventTime "${text('eventTime')}" is not a MicroTime`;
  if (text('type') !== 'Normal' && text('type') !== 'Warning') return `type "${text('type')}" is neither Normal nor Warning`;
  if (!QUALIFIED_NAME.test(text('reportingController'))) return `reportingController "${text('reportingController')}" is not a qualified name`;
  for (const [k, max] of [
    ['reportingInstance', 128],
    ['action', 128],
    ['reason', 128],
  ] as const) {
    if (text(k) === '' || text(k).length > max) return `${k} must be 1 to ${max} characters`;
  }
  if (Buffer.byteLength(text('note'), 'utf8') > 1024) return 'note is longer than 1024 bytes';
  for (const k of ['apiVersion', 'kind', 'name', 'uid'] as const)
    if (typeof regarding[k] !== 'string' || regarding[k] === '') return `regarding.${k} is required`;
  for (const k of ['deprecatedSource', 'deprecatedFirstTimestamp', 'deprecatedLastTimestamp', 'deprecatedCount'] as const)
    if (event[k] !== undefined) return `${k} must be unset`;
  const series = event.series as { count?: number; lastObservedTime?: string } | undefined;
  if (series && (!(typeof series.count === 'number' && series.count >= 2) || !MICRO_TIME.test(series.lastObservedTime ?? '')))
    return 'series needs count >= 2 and a lastObservedTime';
  return '';
}

function merge(target: Json, patch: Json): Json {
  const out: Json = { ...target };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (typeof v === 'object' && !Array.isArray(v) && typeof out[k] === 'object' && out[k] !== null) out[k] = merge(out[k] as Json, v as Json);
    else out[k] = v;
  }
  return out;
}

export class KubeApiStandIn {
  readonly requests: RecordedRequest[] = [];
  /** The stored events by namespace/name. */
  readonly events = new Map<string, Json>();
  /** Required as `Authorization: Bearer <token>` when set. */
  token: string | undefined;
  /** Answer every request with this status (and no change) while set. */
  failWith: number | undefined;
  /** Hold every answer this long (a slow API server); 0: at once. */
  delayMs = 0;
  private server: Server | undefined;
  private readonly held = new Set<ServerResponse>();

  /** Listens on a free port of 127.0.0.1 (HTTPS with this certificate and key files); resolves with its URL. */
  async start(tls?: { cert: string; key: string }): Promise<string> {
    const handler = (req: IncomingMessage, res: ServerResponse): void => void this.handle(req, res);
    this.server = tls ? createHttpsServer({ cert: readFileSync(tls.cert), key: readFileSync(tls.key) }, handler) : createServer(handler);
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `${tls ? 'https' : 'http'}://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const res of this.held) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The stored events in creation order, with their series. */
  list(): Json[] {
    return [...this.events.values()];
  }

  /** Every accepted write, as "POST reason" or "PATCH reason count": what reached the API server, in order. */
  log(): string[] {
    return this.requests
      .filter((r) => r.status < 300)
      .map((r) => {
        const body = r.body as Json;
        if (r.method === 'POST') return `POST ${String(body.reason)}`;
        const stored = this.events.get(r.path.replace(/^.*\/namespaces\/([^/]+)\/events\/([^/]+)$/, '$1/$2'));
        return `PATCH ${String(stored?.reason)} ${String((body.series as Json | undefined)?.count)}`;
      });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      body = undefined;
    }
    const record: RecordedRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      contentType: req.headers['content-type'],
      authorization: req.headers.authorization,
      body,
      status: 0,
      answered: false,
    };
    this.requests.push(record);
    const answer = (status: number, object: unknown, problem?: string): void => {
      record.status = status;
      if (problem) record.problem = problem;
      const send = (): void => {
        this.held.delete(res);
        record.answered = true;
        if (!res.destroyed) res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(object));
      };
      if (this.delayMs > 0) {
        this.held.add(res);
        setTimeout(send, this.delayMs).unref();
      } else send();
    };
    const status = (code: number, message: string) => answer(code, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code, message }, message);
    if (this.token !== undefined && req.headers.authorization !== `Bearer ${this.token}`) return status(401, 'Unauthorized');
    if (this.failWith !== undefined) return status(this.failWith, 'failing on purpose');
    const match = EVENTS_PATH.exec(record.path);
    if (!match) return status(404, `no such path ${record.path}`);
    const namespace = decodeURIComponent(match[1]!);
    const name = match[2] ? decodeURIComponent(match[2]) : undefined;
    if (typeof body !== 'object' || body === null) return status(400, 'the body is not a JSON object');
    if (req.method === 'POST' && name === undefined) {
      if (record.contentType !== 'application/json') return status(415, `content type ${String(record.contentType)}`);
      const problem = eventProblem(body as Json, namespace);
      if (problem) return status(422, problem);
      const key = `${namespace}/${String(((body as Json).metadata as Json).name)}`;
      if (this.events.has(key)) return status(409, `events "${key}" already exists`);
      this.events.set(key, body as Json);
      return answer(201, body);
    }
    if (req.method === 'PATCH' && name !== undefined) {
      if (record.contentType !== 'application/merge-patch+json') return status(415, `content type ${String(record.contentType)}`);
      const key = `${namespace}/${name}`;
      const stored = this.events.get(key);
      if (!stored) return status(404, `events "${name}" not found`);
      const next = merge(stored, body as Json);
      const problem =
        eventProblem(next, namespace) ||
        IMMUTABLE.filter((k) => JSON.stringify(next[k]) !== JSON.stringify(stored[k]))
          .map((k) => `${k} is immutable`)
          .join(', ');
      if (problem) return status(422, problem);
      this.events.set(key, next);
      return answer(200, next);
    }
    return status(405, `${record.method} ${record.path} is not served`);
  }
}
