// Records the core's planned events (src/reconciler/events.ts) as events.k8s.io/v1 Events on the Bucket,
// after the hook has answered: a bounded queue (the oldest dropped and counted when full), one request
// at a time (so a Bucket's events keep their order), each with its own timeout (kube-api.ts). Nothing
// here can delay or change an answer: `record` only queues.
//
// Repeats of the same problem become an event series instead of a flood: the last event per (Bucket
// uid, reason) is remembered (a bounded map, oldest entries forgotten first), and the same reason and
// note again within the series window PATCHes that event's series.count and series.lastObservedTime,
// as client-go's event recorder does. A different note starts a new event (the API server keeps an
// event's note immutable). The hook is stateless: after a restart a repeat starts a new series.
import { randomBytes } from 'node:crypto';
import type { PlannedEvent } from '../reconciler/outcome/events.js';
import type { KubeResponse, Method } from './kube-api.js';

/** What the event is about (an ObjectReference to the Bucket). */
export interface Regarding {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  uid: string;
  resourceVersion?: string | undefined;
}

export type EventResult = 'sent' | 'patched' | 'failed' | 'dropped';

export interface EventSink {
  /** Queues the events; returns at once. */
  record(regarding: Regarding, events: readonly PlannedEvent[]): void;
  /** Resolves once everything queued so far was sent (or failed). */
  idle(): Promise<void>;
  /** Sends what is queued, for at most `graceMs`, then stops; later records are dropped. */
  close(graceMs?: number): Promise<void>;
}

export interface RecorderOptions {
  api: { request(method: Method, path: string, body: unknown, contentType?: string): Promise<KubeResponse> };
  /** reportingController: which controller (a qualified name, at most 63 characters after the prefix). */
  controller: string;
  /** reportingInstance: which replica (the pod's name). */
  instance: string;
  /** Events waiting to be sent at most (default 1000); beyond, the oldest is dropped. */
  queueSize?: number;
  /** Series remembered at most (default 4096). */
  seriesSize?: number;
  /** A repeat later than this after the last one starts a new event (default 30 min). */
  seriesWindowMs?: number;
  now?: () => Date;
  onResult?: (result: EventResult) => void;
  log?: { warn(obj: object, msg: string): void; debug(obj: object, msg: string): void };
}

interface Queued {
  regarding: Regarding;
  event: PlannedEvent;
  at: Date;
}

interface Series {
  name: string;
  namespace: string;
  note: string;
  count: number;
  last: number;
}

export const REPORTING_CONTROLLER = 's3.services.k8s.aws/bucket-hook';
const MAX_NAME = 253;

/** Kubernetes MicroTime: RFC 3339 with microseconds. */
export function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** A namespace's name (DNS-1123 label) and an object's (DNS-1123 subdomain), as the API server checks them. */
const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const OBJECT_NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The name when the API server would take it for an object; throws (nothing is sent) otherwise. */
function objectName(name: string): string {
  if (!OBJECT_NAME.test(name)) throw new Error(`not a Kubernetes object name: ${JSON.stringify(name.slice(0, 100))}; no event sent`);
  return name;
}

/**
 * The path of the namespace's events (or of one), from validated names only: a namespace ".." made
 * `/namespaces/../events`, which the URL parser turns into the cluster-wide `/apis/events.k8s.io/v1/events`.
 */
function eventsPath(namespace: string, name?: string): string {
  if (!NAMESPACE_NAME.test(namespace)) throw new Error(`not a Kubernetes namespace name: ${JSON.stringify(namespace.slice(0, 100))}; no event sent`);
  const base = `/apis/events.k8s.io/v1/namespaces/${namespace}/events`;
  return name === undefined ? base : `${base}/${objectName(name)}`;
}

function eventName(regarding: Regarding): string {
  const suffix = `.${randomBytes(8).toString('hex')}`;
  return `${regarding.name.slice(0, MAX_NAME - suffix.length)}${suffix}`;
}

function describe(response: KubeResponse): string {
  const body = response.body as { message?: unknown } | undefined;
  return `HTTP ${response.status}${typeof body?.message === 'string' ? `: ${body.message}` : ''}`;
}

export class EventRecorder implements EventSink {
  private readonly queue: Queued[] = [];
  private readonly series = new Map<string, Series>();
  private running: Promise<void> | undefined;
  private closed = false;
  private failing = false;
  private readonly now: () => Date;

  constructor(private readonly options: RecorderOptions) {
    this.now = options.now ?? (() => new Date());
  }

  record(regarding: Regarding, events: readonly PlannedEvent[]): void {
    for (const event of events) {
      if (this.closed) {
        this.options.onResult?.('dropped');
        continue;
      }
      if (this.queue.length >= (this.options.queueSize ?? 1000)) {
        this.queue.shift();
        this.options.onResult?.('dropped');
      }
      this.queue.push({ regarding, event, at: this.now() });
    }
    this.running ??= this.drain();
  }

  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async close(graceMs = 2000): Promise<void> {
    this.closed = true;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
      timer.unref();
    });
    await Promise.race([this.idle(), grace]);
    clearTimeout(timer);
    for (const _ of this.queue.splice(0)) this.options.onResult?.('dropped');
  }

  private async drain(): Promise<void> {
    try {
      for (let item = this.queue.shift(); item; item = this.queue.shift()) {
        const result = await this.send(item).catch((err: unknown) => {
          this.problem({ reason: item?.event.reason, err: err instanceof Error ? err.message : String(err) });
          return 'failed' as const;
        });
        if (result !== 'failed' && this.failing) {
          this.failing = false;
          this.options.log?.warn({}, 'events reach the Kubernetes API again');
        }
        this.options.onResult?.(result);
      }
    } finally {
      this.running = undefined;
    }
  }

  /** One line when events start failing, then debug only: a down API server must not flood the log. */
  private problem(detail: object): void {
    if (this.failing) this.options.log?.debug(detail, 'event not recorded');
    else this.options.log?.warn(detail, 'event not recorded: the Kubernetes API refused it or did not answer (further failures at debug until one succeeds)');
    this.failing = true;
  }

  private async send({ regarding, event, at }: Queued): Promise<EventResult> {
    const key = `${regarding.uid}/${event.reason}`;
    const known = this.series.get(key);
    const window = this.options.seriesWindowMs ?? 30 * 60_000;
    if (known && known.note === event.note && at.getTime() - known.last < window) {
      const count = known.count + 1;
      const patch = { series: { count, lastObservedTime: microTime(at) } };
      const response = await this.options.api.request('PATCH', eventsPath(known.namespace, known.name), patch, 'application/merge-patch+json');
      if (response.status >= 200 && response.status < 300) {
        this.remember(key, { ...known, count, last: at.getTime() });
        return 'patched';
      }
      // Gone (events expire after an hour by default) or refused: start a new event instead.
      if (response.status !== 404) {
        this.problem({ reason: event.reason, response: describe(response) });
        return 'failed';
      }
    }
    const namespace = regarding.namespace || 'default';
    const name = objectName(eventName(regarding));
    const { resourceVersion, ...ref } = regarding;
    const body = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name, namespace },
      eventTime: microTime(at),
      reportingController: this.options.controller,
      reportingInstance: this.options.instance,
      action: event.action,
      reason: event.reason,
      type: event.type,
      note: event.note,
      regarding: { ...ref, namespace, ...(resourceVersion ? { resourceVersion } : {}) },
    };
    const response = await this.options.api.request('POST', eventsPath(namespace), body);
    if (response.status < 200 || response.status >= 300) {
      this.problem({ reason: event.reason, response: describe(response) });
      return 'failed';
    }
    this.remember(key, { name, namespace, note: event.note, count: 1, last: at.getTime() });
    return 'sent';
  }

  private remember(key: string, series: Series): void {
    this.series.delete(key);
    this.series.set(key, series);
    const max = this.options.seriesSize ?? 4096;
    for (const oldest of this.series.keys()) {
      if (this.series.size <= max) break;
      this.series.delete(oldest);
    }
  }
}
