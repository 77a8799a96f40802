// A Metacontroller imitation for tests and benchmarks: an in-memory API server of Bucket objects, an
// informer cache fed by its watch events, and a CompositeController work queue whose workers call the
// hook over real HTTP, behaving as Metacontroller v4.17.x does:
//
// - the workqueue never processes one key concurrently; adds coalesce while a key waits or runs;
//   AddAfter keeps the earliest time; failures back off per key (5 ms * 2^n, capped) and through a
//   global token bucket (10 qps, burst 100): client-go's DefaultTypedControllerRateLimiter;
// - before the first call the finalizer metacontroller.io/compositecontroller-<name> is added (a PUT:
//   new resourceVersion, a watch event) and the hook receives the updated object;
// - only HTTP 200 with a JSON body counts; on anything else (or the timeout, 30 s like the manifest's
//   webhook timeout) nothing is written and the key is requeued rate-limited; 429 honours Retry-After;
// - on success, in Metacontroller's order: resyncAfterSeconds > 0 -> AddAfter; finalized -> remove the
//   finalizer (then a deleting object is gone); status replaced wholesale with observedGeneration =
//   generation as sent, written only when not deep-equal to the live status, pruned by the CRD's
//   status schema (a pruned field makes every answer a no-op write, as in Kubernetes);
// - every write emits a watch event that enqueues the key again (the echo), unless
//   ignoreStatusChanges filters status-only changes (the manifest sets it; the driver's default is the
//   stricter false).
//
// Not imitated: children, the customize hook and related objects, label selectors, ETags, events and
// server-side apply: the cluster suite (test/cluster/) runs those against a real API server with the
// Metacontroller stand-in. This driver stays for what only an in-memory imitation does: exact timing, fault
// injection at a chosen instant, and fleets larger than a test API server takes quickly (the benches).
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { statusSchema, type JsonSchema } from '../../src/schema/bucket-schema.js';
import { createAjv } from '../../src/schema/validator.js';
import { CONTROLLER_NAME, FINALIZER, controller, sortKeys } from './envelope.js';
import { callWebhook, type ViolationKind } from './metacontroller/webhook.js';
import { WorkQueue, type Item } from './metacontroller/workqueue.js';

export const API_VERSION = 's3.services.k8s.aws/v1alpha1';
export { CONTROLLER_NAME, FINALIZER };

export type JsonObject = Record<string, unknown>;

export interface ObjectMeta {
  name: string;
  namespace: string;
  uid: string;
  generation: number;
  resourceVersion: string;
  creationTimestamp: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  managedFields: JsonObject[];
}

export interface BucketObject {
  apiVersion: typeof API_VERSION;
  kind: 'Bucket';
  metadata: ObjectMeta;
  spec: JsonObject;
  status?: JsonObject;
}

export interface BucketManifest {
  namespace?: string;
  name: string;
  spec: JsonObject;
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
}

export type Hook = 'sync' | 'finalize';

/** Why a key was processed; adds that coalesce are merged. "status" and "finalizer" are Metacontroller's own writes (the echo). */
export type Trigger =
  'create' | 'update' | 'status' | 'finalizer' | 'delete' | 'resync-after' | 'retry' | 'retry-after' | 'resync-period' | 'cache-flush' | 'replay';

export type { ViolationKind };

export interface Violation {
  key: string;
  hook: Hook;
  kind: ViolationKind;
  detail: string;
}

/** One hook call, as the observer sees it. */
export interface CallRecord {
  key: string;
  hook: Hook;
  triggers: Trigger[];
  /** The parent as sent (generation, resourceVersion, status). */
  parent: BucketObject;
  /** HTTP status as a string, or "timeout" / "transport" / "stopped". */
  code: string;
  ms: number;
  ok: boolean;
  response?: JsonObject;
  error?: string;
}

export interface DriverOptions {
  /** The sync hook's URL, e.g. http://127.0.0.1:8080/sync. */
  syncUrl: string;
  /** Default: syncUrl with its last path segment replaced by /finalize. */
  finalizeUrl?: string;
  /** --workers (default 5). */
  workers?: number;
  /** The webhook timeout (default 30 s, as in manifests/compositecontroller.yaml). */
  timeoutMs?: number;
  /** parentResource.ignoreStatusChanges (default false: every status write is echoed with a sync). */
  ignoreStatusChanges?: boolean;
  /** Multiplies every delay the driver waits on (resyncAfterSeconds, backoff, periods); default 1 (real seconds). */
  timeScale?: number;
  /** Per-key backoff: base (5 ms) and cap (1000 s), both scaled by timeScale. */
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** The global retry token bucket (10 qps, burst 100); Infinity disables it. */
  retryQps?: number;
  retryBurst?: number;
  /** spec.resyncPeriodSeconds: every key is requeued this often (default: unset, as in the manifest). */
  resyncPeriodSeconds?: number;
  /** --cache-flush-interval: every cached object replayed as an update (default 1800 s; 0 disables). */
  cacheFlushSeconds?: number;
  /** Watch latency: how long the informer cache lags behind the API server (default 0: synchronous). */
  watchDelayMs?: number;
  /** The CRD's status schema for pruning and validation (default: the project's; null: no pruning). */
  statusSchema?: JsonSchema | null;
  /** Sent as `Authorization: Bearer <token>`. */
  bearerToken?: string;
  /** Called after every hook call (tests attribute work to calls with it). */
  onCall?: (record: CallRecord) => void;
  now?: () => Date;
}

export interface LatencySummary {
  count: number;
  median: number;
  p95: number;
  max: number;
}

export interface DriverStats {
  calls: Record<Hook, number>;
  /** HTTP code (or timeout/transport/stopped) -> count. */
  codes: Record<string, number>;
  latenciesMs: Record<Hook, number[]>;
  violations: Violation[];
  /** key -> hook calls made for it. */
  callsByObject: Map<string, Record<Hook, number>>;
  statusWrites: number;
  /** Status "writes" whose pruned result equalled the stored status (the API server changes nothing). */
  noopStatusWrites: number;
  finalizersAdded: number;
  finalizersRemoved: number;
  objectsRemoved: number;
  /** Rate-limited requeues after a failed call. */
  retries: number;
}

export interface RunOptions {
  /** Stop as soon as this holds (checked after every call and every pollMs). */
  until?: (driver: MetacontrollerDriver) => boolean;
  /** Hard bound on the run. */
  maxMs: number;
  pollMs?: number;
}

export interface RunResult {
  reason: 'until' | 'maxMs';
  elapsedMs: number;
}

export function keyOf(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export function summarize(values: readonly number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
  return { count: sorted.length, median: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1] ?? 0 };
}

const clone = <T>(value: T): T => structuredClone(value);
const kubeTime = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

// ---- the CRD's structural pruning -------------------------------------------------------------

function prune(value: unknown, schema: JsonSchema | undefined): unknown {
  if (!schema || schema['x-kubernetes-preserve-unknown-fields'] === true) return value;
  if (Array.isArray(value)) return value.map((v) => prune(v, schema.items as JsonSchema | undefined));
  if (value === null || typeof value !== 'object') return value;
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  const additional = schema.additionalProperties as JsonSchema | undefined;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) {
    const sub = properties?.[k] ?? additional;
    if (sub) out[k] = prune(v, sub);
  }
  return out;
}

// ---- the driver -------------------------------------------------------------------------------

type HookOutcome = { ok: true; response: JsonObject; code: string } | { ok: false; code: string; error: string; retryAfterMs?: number };

export class MetacontrollerDriver {
  readonly stats: DriverStats = {
    calls: { sync: 0, finalize: 0 },
    codes: {},
    latenciesMs: { sync: [], finalize: [] },
    violations: [],
    callsByObject: new Map(),
    statusWrites: 0,
    noopStatusWrites: 0,
    finalizersAdded: 0,
    finalizersRemoved: 0,
    objectsRemoved: 0,
    retries: 0,
  };

  /** The API server's truth. */
  private readonly objects = new Map<string, BucketObject>();
  /** The informer cache: what the workers see (lags by watchDelayMs). */
  private readonly cache = new Map<string, BucketObject>();
  private readonly queue: WorkQueue<Trigger>;
  private readonly options: Required<Omit<DriverOptions, 'bearerToken' | 'onCall' | 'resyncPeriodSeconds' | 'statusSchema'>> &
    Pick<DriverOptions, 'bearerToken' | 'onCall' | 'resyncPeriodSeconds'>;
  private readonly statusSchema: JsonSchema | null;
  private readonly validStatus: ((status: unknown) => boolean) | undefined;
  private readonly controllerObject: JsonObject;
  private resourceVersion = 1000;
  private running = false;
  private inFlight = new Set<AbortController>();
  private workers: Array<Promise<void>> = [];
  private periodic: NodeJS.Timeout[] = [];
  private progress: (() => void) | undefined;

  constructor(options: DriverOptions) {
    this.options = {
      finalizeUrl: options.finalizeUrl ?? options.syncUrl.replace(/\/[^/]*$/, '/finalize'),
      workers: 5,
      timeoutMs: 30_000,
      ignoreStatusChanges: false,
      timeScale: 1,
      backoffBaseMs: 5,
      backoffCapMs: 1_000_000,
      retryQps: 10,
      retryBurst: 100,
      cacheFlushSeconds: 1800,
      watchDelayMs: 0,
      now: () => new Date(),
      ...options,
    };
    const o = this.options;
    this.queue = new WorkQueue<Trigger>({ baseMs: o.backoffBaseMs, capMs: o.backoffCapMs, qps: o.retryQps, burst: o.retryBurst, scale: o.timeScale });
    this.statusSchema = options.statusSchema === undefined ? statusSchema : options.statusSchema;
    if (this.statusSchema) {
      const check = createAjv().compile(this.statusSchema);
      this.validStatus = (status) => check(status);
    }
    // The CompositeController as Metacontroller sends it, saying what this driver does.
    const cc = controller() as {
      spec: JsonObject & { parentResource: JsonObject; hooks: { sync: { webhook: JsonObject }; finalize: { webhook: JsonObject } } };
    };
    cc.spec.parentResource.ignoreStatusChanges = o.ignoreStatusChanges;
    cc.spec.hooks.sync.webhook = { url: o.syncUrl, timeout: `${o.timeoutMs / 1000}s` };
    cc.spec.hooks.finalize.webhook = { url: o.finalizeUrl, timeout: `${o.timeoutMs / 1000}s` };
    if (o.resyncPeriodSeconds === undefined) delete cc.spec.resyncPeriodSeconds;
    else cc.spec.resyncPeriodSeconds = o.resyncPeriodSeconds;
    this.controllerObject = sortKeys(cc) as JsonObject;
  }

  // ---- the API server (what kubectl does) ----

  /** kubectl apply: creates, or updates spec/annotations/labels (a spec change bumps generation). No change, no write. */
  apply(manifest: BucketManifest): BucketObject {
    const namespace = manifest.namespace ?? 'default';
    const key = keyOf(namespace, manifest.name);
    const annotations = {
      ...(manifest.annotations ?? {}),
      'kubectl.kubernetes.io/last-applied-configuration': `${JSON.stringify(sortKeys({ apiVersion: API_VERSION, kind: 'Bucket', metadata: { annotations: manifest.annotations ?? {}, name: manifest.name, namespace }, spec: manifest.spec }))}\n`,
    };
    const existing = this.objects.get(key);
    if (!existing) {
      const now = kubeTime(this.options.now());
      const created: BucketObject = {
        apiVersion: API_VERSION,
        kind: 'Bucket',
        metadata: {
          name: manifest.name,
          namespace,
          uid: randomUUID(),
          generation: 1,
          resourceVersion: this.nextResourceVersion(),
          creationTimestamp: now,
          annotations,
          ...(manifest.labels ? { labels: { ...manifest.labels } } : {}),
          managedFields: [managedEntry('kubectl-client-side-apply', now, { 'f:metadata': { 'f:annotations': {} }, 'f:spec': {} })],
        },
        spec: clone(manifest.spec),
      };
      this.store(key, undefined, created);
      return clone(created);
    }
    return this.update(key, (o) => {
      o.spec = clone(manifest.spec);
      o.metadata.annotations = annotations;
      if (manifest.labels) o.metadata.labels = { ...manifest.labels };
      else delete o.metadata.labels;
    })!;
  }

  /** kubectl delete: deletionTimestamp set and generation bumped while a finalizer holds the object; else it is gone. */
  delete(key: string): boolean {
    const current = this.objects.get(key);
    if (!current) return false;
    if (current.metadata.deletionTimestamp) return true;
    if (!current.metadata.finalizers?.length) {
      this.remove(key);
      return true;
    }
    this.update(key, (o) => {
      o.metadata.deletionTimestamp = kubeTime(this.options.now());
      o.metadata.deletionGracePeriodSeconds = 0;
    });
    return true;
  }

  /**
   * Any other write (kubectl edit, an out-of-band status change, an annotation): mutate a copy. A spec or
   * deletionTimestamp change bumps generation, any change bumps resourceVersion and emits a watch event.
   */
  update(key: string, mutate: (object: BucketObject) => void, trigger: Trigger = 'update'): BucketObject | undefined {
    const before = this.objects.get(key);
    if (!before) return undefined;
    const after = clone(before);
    mutate(after);
    if (isDeepStrictEqual(before, after)) return clone(before);
    const deleting = !before.metadata.deletionTimestamp && after.metadata.deletionTimestamp;
    if (!isDeepStrictEqual(before.spec, after.spec) || deleting) after.metadata.generation = before.metadata.generation + 1;
    after.metadata.resourceVersion = this.nextResourceVersion();
    if (after.metadata.deletionTimestamp && !after.metadata.finalizers?.length) {
      this.remove(key);
      return undefined;
    }
    this.store(key, before, after, deleting ? 'delete' : trigger);
    return clone(after);
  }

  get(key: string): BucketObject | undefined {
    const o = this.objects.get(key);
    return o ? clone(o) : undefined;
  }

  keys(): string[] {
    return [...this.objects.keys()];
  }

  get size(): number {
    return this.objects.size;
  }

  /** Every object replayed through the handlers (a Metacontroller restart or cache flush). */
  replayAll(trigger: Trigger = 'replay'): void {
    for (const key of this.cache.keys()) this.queue.add(key, trigger);
  }

  /** True when nothing is queued or running (delayed resyncs may still be pending). */
  idle(): boolean {
    return this.queue.length === 0 && this.queue.busy === 0;
  }

  get pending(): { queued: number; running: number; delayed: number } {
    return { queued: this.queue.length, running: this.queue.busy, delayed: this.queue.delayed };
  }

  // ---- running ----

  /** Runs the workers until `until` holds or maxMs passed; then stops them, cancelling calls in flight (they are requeued). */
  async run(options: RunOptions): Promise<RunResult> {
    const started = performance.now();
    this.start();
    const reason = await new Promise<RunResult['reason']>((resolve) => {
      let settled = false;
      const finish = (why: RunResult['reason']): void => {
        if (settled) return;
        settled = true;
        clearInterval(poll);
        clearTimeout(deadline);
        this.progress = undefined;
        resolve(why);
      };
      const check = (): void => {
        if (options.until?.(this)) finish('until');
      };
      const poll = setInterval(check, options.pollMs ?? 50);
      const deadline = setTimeout(() => finish('maxMs'), options.maxMs);
      this.progress = check;
      check();
    });
    await this.stop();
    return { reason, elapsedMs: performance.now() - started };
  }

  /** Stops the workers and every timer; calls in flight are cancelled. */
  async close(): Promise<void> {
    await this.stop();
    this.queue.clearTimers();
    for (const t of this.periodic) clearInterval(t);
    this.periodic = [];
  }

  private start(): void {
    if (this.running) return;
    this.running = true;
    const scale = this.options.timeScale;
    if (this.periodic.length === 0) {
      if (this.options.resyncPeriodSeconds !== undefined) {
        const every = Math.max(1, this.options.resyncPeriodSeconds) * 1000 * scale;
        this.periodic.push(setInterval(() => this.replayAll('resync-period'), every).unref());
      }
      if (this.options.cacheFlushSeconds > 0) {
        this.periodic.push(setInterval(() => this.flushCache(), this.options.cacheFlushSeconds * 1000 * scale).unref());
      }
    }
    this.workers = Array.from({ length: this.options.workers }, () => this.work());
  }

  private async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const call of this.inFlight) call.abort(new Error('driver stopped'));
    this.queue.wakeAll();
    await Promise.all(this.workers);
    this.workers = [];
  }

  private async work(): Promise<void> {
    for (;;) {
      const item = await this.queue.get(() => !this.running);
      if (!item) return;
      try {
        await this.process(item);
      } finally {
        this.queue.done(item.key);
        this.progress?.();
      }
    }
  }

  /** syncParentObject, for one key. */
  private async process({ key, triggers }: Item<Trigger>): Promise<void> {
    let parent = this.cache.get(key);
    if (!parent) return; // gone: no hook call without a finalizer keeping it
    if (!parent.metadata.deletionTimestamp && !parent.metadata.finalizers?.includes(FINALIZER)) {
      // finalizer.SyncObject: GET + PUT; the hook gets the PUT's answer.
      const now = kubeTime(this.options.now());
      const updated = this.update(
        key,
        (o) => {
          o.metadata.finalizers = [...(o.metadata.finalizers ?? []), FINALIZER];
          o.metadata.managedFields = [
            ...o.metadata.managedFields.filter((m) => !(m.manager === 'metacontroller' && !m.subresource)),
            managedEntry('metacontroller', now, { 'f:metadata': { 'f:finalizers': { '.': {}, [`v:"${FINALIZER}"`]: {} } } }),
          ];
        },
        'finalizer',
      );
      if (!updated) return;
      this.stats.finalizersAdded++;
      parent = updated;
    }
    const hook: Hook = parent.metadata.deletionTimestamp ? 'finalize' : 'sync';
    const sent = clone(parent);
    const started = performance.now();
    const outcome = await this.call(hook, sent);
    const ms = performance.now() - started;
    if (outcome.code === 'stopped') {
      this.queue.add(key, 'replay'); // cancelled by stop(): the next run() calls again
      return;
    }
    this.count(key, hook, outcome.code, ms);
    this.options.onCall?.({
      key,
      hook,
      triggers,
      parent: sent,
      code: outcome.code,
      ms,
      ok: outcome.ok,
      ...(outcome.ok ? { response: outcome.response } : { error: outcome.error }),
    });
    if (!outcome.ok) {
      if (outcome.retryAfterMs !== undefined) return this.queue.addAfter(key, outcome.retryAfterMs * this.options.timeScale, 'retry-after');
      this.stats.retries++;
      this.queue.addRateLimited(key);
      return;
    }
    this.applyResponse(key, hook, sent, outcome.response);
  }

  private applyResponse(key: string, hook: Hook, sent: BucketObject, response: JsonObject): void {
    const resync = response.resyncAfterSeconds;
    if (typeof resync === 'number' && resync > 0) this.queue.addAfter(key, resync * 1000 * this.options.timeScale, 'resync-after');
    if (response.finalized === true) {
      // Acted on in any call, even a sync (the next sync adds the finalizer back): a violation, checked in call().
      const removed = this.update(
        key,
        (o) => {
          o.metadata.finalizers = (o.metadata.finalizers ?? []).filter((f) => f !== FINALIZER);
        },
        'finalizer',
      );
      this.stats.finalizersRemoved++;
      if (!removed) {
        this.queue.forget(key);
        return; // gone: the status write would get NotFound, which Metacontroller swallows (its children went with it)
      }
    }
    const status = { ...((response.status as JsonObject | null | undefined) ?? {}), observedGeneration: sent.metadata.generation };
    const live = this.objects.get(key);
    if (!live || isDeepStrictEqual(live.status, status)) {
      this.queue.forget(key);
      return;
    }
    const stored = this.statusSchema ? (prune(status, this.statusSchema) as JsonObject) : status;
    if (this.validStatus && !this.validStatus(stored)) {
      this.violation(key, hook, 'status-rejected', JSON.stringify(stored).slice(0, 300));
      this.stats.retries++;
      this.queue.addRateLimited(key);
      return;
    }
    this.stats.statusWrites++;
    if (isDeepStrictEqual(live.status, stored)) this.stats.noopStatusWrites++;
    else {
      const now = kubeTime(this.options.now());
      this.update(
        key,
        (o) => {
          o.status = stored;
          o.metadata.managedFields = [
            ...o.metadata.managedFields.filter((m) => m.subresource !== 'status'),
            { ...managedEntry('metacontroller', now, { 'f:status': {} }), subresource: 'status' },
          ];
        },
        'status',
      );
    }
    this.queue.forget(key);
  }

  /** One webhook call: HTTP, timeout, and the response checks of Metacontroller's loose v1 mode (plus the violations a strict reader would see). */
  private async call(hook: Hook, parent: BucketObject): Promise<HookOutcome> {
    const key = keyOf(parent.metadata.namespace, parent.metadata.name);
    const body = JSON.stringify({ controller: this.controllerObject, parent: sortKeys(parent), children: {}, related: {}, finalizing: hook === 'finalize' });
    const abort = new AbortController();
    this.inFlight.add(abort);
    try {
      const outcome = await callWebhook({
        url: hook === 'finalize' ? this.options.finalizeUrl : this.options.syncUrl,
        body,
        ...(this.options.bearerToken ? { authorization: `Bearer ${this.options.bearerToken}` } : {}),
        timeoutMs: this.options.timeoutMs,
        signal: abort.signal,
        finalizing: hook === 'finalize',
        childAllowed: () => false,
      });
      for (const v of outcome.violations) this.violation(key, hook, v.kind, v.detail);
      if (outcome.ok) return { ok: true, code: outcome.code, response: outcome.response };
      return { ok: false, code: outcome.code, error: outcome.error, ...(outcome.retryAfterMs !== undefined ? { retryAfterMs: outcome.retryAfterMs } : {}) };
    } finally {
      this.inFlight.delete(abort);
    }
  }

  // ---- watch events and the informer cache ----

  private store(key: string, before: BucketObject | undefined, after: BucketObject, trigger: Trigger = 'create'): void {
    this.objects.set(key, after);
    this.deliver(() => {
      this.cache.set(key, clone(after));
      if (before && this.ignored(before, after)) return;
      this.queue.add(key, before ? trigger : 'create');
    });
  }

  private remove(key: string): void {
    this.objects.delete(key);
    this.stats.objectsRemoved++;
    this.deliver(() => {
      this.cache.delete(key);
      this.queue.add(key, 'delete');
    });
  }

  private deliver(event: () => void): void {
    if (this.options.watchDelayMs <= 0) event();
    else setTimeout(event, this.options.watchDelayMs).unref();
  }

  private flushCache(): void {
    // A resync event carries the same resourceVersion, so ignoreStatusChanges lets it through (v4.17.2, #1252).
    for (const key of this.cache.keys()) this.queue.add(key, 'cache-flush');
  }

  /** updateParentObject with ignoreStatusChanges: a new resourceVersion with the same generation, labels, annotations and deletionTimestamp is a status-only change. */
  private ignored(before: BucketObject, after: BucketObject): boolean {
    if (!this.options.ignoreStatusChanges) return false;
    const a = before.metadata;
    const b = after.metadata;
    return (
      a.resourceVersion !== b.resourceVersion &&
      a.generation === b.generation &&
      a.deletionTimestamp === b.deletionTimestamp &&
      isDeepStrictEqual(a.labels, b.labels) &&
      isDeepStrictEqual(a.annotations, b.annotations)
    );
  }

  private nextResourceVersion(): string {
    return String(++this.resourceVersion);
  }

  private count(key: string, hook: Hook, code: string, ms: number): void {
    this.stats.calls[hook]++;
    this.stats.codes[code] = (this.stats.codes[code] ?? 0) + 1;
    this.stats.latenciesMs[hook].push(ms);
    const perObject = this.stats.callsByObject.get(key) ?? { sync: 0, finalize: 0 };
    perObject[hook]++;
    this.stats.callsByObject.set(key, perObject);
  }

  private violation(key: string, hook: Hook, kind: ViolationKind, detail: string): void {
    this.stats.violations.push({ key, hook, kind, detail });
  }
}

function managedEntry(manager: string, time: string, fieldsV1: JsonObject): JsonObject {
  return { apiVersion: API_VERSION, fieldsType: 'FieldsV1', fieldsV1, manager, operation: 'Update', time };
}
