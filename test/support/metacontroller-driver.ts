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
// - children (when `childResources` lists configmaps, as manifests/overlays/configmaps does): the owned
//   ConfigMaps are sent in `children` ("ConfigMap.v1": {name: object}); after each answer, as
//   Metacontroller's default dynamic-apply does, a desired child gets the controller-uid label, one not
//   observed is created with the Bucket as controller owner (an existing ConfigMap of that name that is
//   not owned is left as it is: Create's AlreadyExists is swallowed), an observed one is updated in place
//   when it differs, and an observed one the answer leaves out is deleted; the children are managed
//   during finalize too, and a removed Bucket's children go with it (the garbage collector); each child
//   change enqueues its owner;
// - the customize hook (`customizeUrl`): called once per (uid, generation) and cached (Metacontroller
//   keeps it 20 min), its configmaps rules filled from the driver's ConfigMaps into `related` (the group
//   present, even empty, once a rule names it); a change to a named ConfigMap enqueues the Bucket;
// - cluster-scoped related objects (the rules the hook answers for IAMRoleSelectors): Namespaces
//   (`applyNamespace`) and IAMRoleSelectors (`applyRoleSelector`, `deleteRoleSelector`), kept in an
//   in-memory set, filled into `related` as "Namespace.v1" / "IAMRoleSelector.services.k8s.aws/v1alpha1"
//   keyed by name (a rule's names narrow it, none selects all); a change (new resourceVersion) or a
//   deletion enqueues every Bucket whose cached rules select that object, as 'related'.
//
// Not imitated: label selectors, ETags, events, server-side apply.
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
export type Trigger = 'create' | 'update' | 'status' | 'finalizer' | 'delete' | 'resync-after' | 'retry' | 'retry-after' | 'resync-period' | 'cache-flush' | 'replay' | 'child' | 'related';

/** A ConfigMap in the driver's API server (children and related objects). */
export interface ConfigMapObject {
  apiVersion: 'v1';
  kind: 'ConfigMap';
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    resourceVersion: string;
    labels?: Record<string, string>;
    ownerReferences?: Array<{ apiVersion: string; kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean }>;
  };
  data?: Record<string, string>;
}

/** A cluster-scoped related object: a Namespace or an IAMRoleSelector. */
export interface ClusterObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; uid: string; resourceVersion: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
}

/** The cluster-scoped resources the driver serves to customize rules: rule (apiVersion/resource) -> the group key in `related`. */
const CLUSTER_RESOURCES: Record<string, { kind: string; group: string }> = {
  'v1/namespaces': { kind: 'Namespace', group: 'Namespace.v1' },
  'services.k8s.aws/v1alpha1/iamroleselectors': { kind: 'IAMRoleSelector', group: 'IAMRoleSelector.services.k8s.aws/v1alpha1' },
};

/** What the driver did with a child: in order, for tests. */
export interface ChildOperation {
  op: 'create' | 'update' | 'delete' | 'exists' | 'gc';
  key: string;
}

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
  /** spec.childResources: ['configmaps'] as manifests/overlays/configmaps (default none). */
  childResources?: Array<'configmaps'>;
  /** hooks.customize: its URL (default: no customize hook). */
  customizeUrl?: string;
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
  private readonly options: Required<Omit<DriverOptions, 'bearerToken' | 'onCall' | 'resyncPeriodSeconds' | 'statusSchema' | 'customizeUrl'>> & Pick<DriverOptions, 'bearerToken' | 'onCall' | 'resyncPeriodSeconds' | 'customizeUrl'>;
  /** ConfigMaps by namespace/name: the children (and related objects) of the API server. */
  private readonly configMaps = new Map<string, ConfigMapObject>();
  /** Namespaces and IAMRoleSelectors by "apiVersion/resource/name". */
  private readonly clusterObjects = new Map<string, ClusterObject>();
  /** The customize hook's answers by uid/generation. */
  private readonly customizeCache = new Map<string, Array<{ apiVersion?: string; resource?: string; namespace?: string; names?: string[] }>>();
  /** Every child operation, in order. */
  readonly childOperations: ChildOperation[] = [];
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
      childResources: [],
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
    const cc = controller() as { spec: JsonObject & { parentResource: JsonObject; hooks: { sync: { webhook: JsonObject }; finalize: { webhook: JsonObject } } } };
    cc.spec.parentResource.ignoreStatusChanges = o.ignoreStatusChanges;
    cc.spec.hooks.sync.webhook = { url: o.syncUrl, timeout: `${o.timeoutMs / 1000}s` };
    cc.spec.hooks.finalize.webhook = { url: o.finalizeUrl, timeout: `${o.timeoutMs / 1000}s` };
    if (o.resyncPeriodSeconds === undefined) delete cc.spec.resyncPeriodSeconds;
    else cc.spec.resyncPeriodSeconds = o.resyncPeriodSeconds;
    if (o.childResources.length > 0) cc.spec.childResources = o.childResources.map((resource) => ({ apiVersion: 'v1', resource, updateStrategy: { method: 'InPlace' } }));
    if (o.customizeUrl) (cc.spec.hooks as JsonObject).customize = { webhook: { url: o.customizeUrl, timeout: '10s' }, version: 'v1' };
    this.controllerObject = sortKeys(cc) as JsonObject;
  }

  // ---- the API server (what kubectl does) ----

  /** kubectl apply: creates, or updates spec/annotations/labels (a spec change bumps generation). No change, no write. */
  apply(manifest: BucketManifest): BucketObject {
    const namespace = manifest.namespace ?? 'default';
    const key = keyOf(namespace, manifest.name);
    const annotations = { ...(manifest.annotations ?? {}), 'kubectl.kubernetes.io/last-applied-configuration': `${JSON.stringify(sortKeys({ apiVersion: API_VERSION, kind: 'Bucket', metadata: { annotations: manifest.annotations ?? {}, name: manifest.name, namespace }, spec: manifest.spec }))}\n` };
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
          o.metadata.managedFields = [...o.metadata.managedFields.filter((m) => !(m.manager === 'metacontroller' && !m.subresource)), managedEntry('metacontroller', now, { 'f:metadata': { 'f:finalizers': { '.': {}, [`v:"${FINALIZER}"`]: {} } } })];
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
    this.options.onCall?.({ key, hook, triggers, parent: sent, code: outcome.code, ms, ok: outcome.ok, ...(outcome.ok ? { response: outcome.response } : { error: outcome.error }) });
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
      const removed = this.update(key, (o) => {
        o.metadata.finalizers = (o.metadata.finalizers ?? []).filter((f) => f !== FINALIZER);
      }, 'finalizer');
      this.stats.finalizersRemoved++;
      if (!removed) {
        this.queue.forget(key);
        return; // gone: the status write would get NotFound, which Metacontroller swallows (its children went with it)
      }
    }
    if (this.options.childResources.includes('configmaps')) this.manageChildren(sent, response.children);
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
      this.update(key, (o) => {
        o.status = stored;
        o.metadata.managedFields = [...o.metadata.managedFields.filter((m) => m.subresource !== 'status'), { ...managedEntry('metacontroller', now, { 'f:status': {} }), subresource: 'status' }];
      }, 'status');
    }
    this.queue.forget(key);
  }

  /** One webhook call: HTTP, timeout, and the response checks of Metacontroller's loose v1 mode (plus the violations a strict reader would see). */
  private async call(hook: Hook, parent: BucketObject): Promise<HookOutcome> {
    const key = keyOf(parent.metadata.namespace, parent.metadata.name);
    const related = await this.related(parent);
    if (related === undefined) return { ok: false, code: 'customize', error: 'the customize hook failed' };
    const body = JSON.stringify({ controller: this.controllerObject, parent: sortKeys(parent), children: this.observedChildren(parent), related, finalizing: hook === 'finalize' });
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
        childAllowed: (child) => this.options.childResources.includes('configmaps') && child.apiVersion === 'v1' && child.kind === 'ConfigMap' && typeof (child.metadata as JsonObject | undefined)?.name === 'string',
      });
      for (const v of outcome.violations) this.violation(key, hook, v.kind, v.detail);
      if (outcome.ok) return { ok: true, code: outcome.code, response: outcome.response };
      return { ok: false, code: outcome.code, error: outcome.error, ...(outcome.retryAfterMs !== undefined ? { retryAfterMs: outcome.retryAfterMs } : {}) };
    } finally {
      this.inFlight.delete(abort);
    }
  }

  // ---- ConfigMaps: children and related objects ----

  // ---- Namespaces and IAMRoleSelectors: cluster-scoped related objects ----

  /** kubectl apply of a Namespace (its labels replaced). */
  applyNamespace(name: string, labels: Record<string, string> = {}): void {
    this.applyClusterObject('v1', 'namespaces', name, { labels });
  }

  /** kubectl apply of an IAMRoleSelector (its spec replaced). */
  applyRoleSelector(name: string, spec: Record<string, unknown>): void {
    this.applyClusterObject('services.k8s.aws/v1alpha1', 'iamroleselectors', name, { spec });
  }

  deleteRoleSelector(name: string): void {
    const k = `services.k8s.aws/v1alpha1/iamroleselectors/${name}`;
    const gone = this.clusterObjects.get(k);
    if (!gone) return;
    this.clusterObjects.delete(k);
    this.clusterObjectChanged('services.k8s.aws/v1alpha1', 'iamroleselectors', gone);
  }

  private applyClusterObject(apiVersion: string, resource: string, name: string, content: { labels?: Record<string, string>; spec?: Record<string, unknown> }): void {
    const k = `${apiVersion}/${resource}/${name}`;
    const before = this.clusterObjects.get(k);
    const object: ClusterObject = {
      apiVersion,
      kind: CLUSTER_RESOURCES[`${apiVersion}/${resource}`]!.kind,
      metadata: { name, uid: before?.metadata.uid ?? randomUUID(), resourceVersion: this.nextResourceVersion(), ...(content.labels ? { labels: { ...content.labels } } : {}) },
      ...(content.spec ? { spec: structuredClone(content.spec) } : {}),
    };
    // An apply that changes nothing is no update: no new resourceVersion, no watch event.
    if (before && isDeepStrictEqual({ ...before, metadata: { ...before.metadata, resourceVersion: '' } }, { ...object, metadata: { ...object.metadata, resourceVersion: '' } })) return;
    this.clusterObjects.set(k, object);
    this.clusterObjectChanged(apiVersion, resource, object);
  }

  /** onRelatedAdd/Update/Delete: every Bucket whose cached customize rules select the object is enqueued. */
  private clusterObjectChanged(apiVersion: string, resource: string, object: ClusterObject): void {
    this.deliver(() => {
      for (const [key, parent] of this.cache) {
        const rules = this.customizeCache.get(`${parent.metadata.uid}/${parent.metadata.generation}`) ?? [];
        if (rules.some((r) => r.apiVersion === apiVersion && r.resource === resource && (!r.names || r.names.includes(object.metadata.name)))) this.queue.add(key, 'related');
      }
    });
  }

  /** kubectl create configmap: one that no Bucket owns (unless `owner` is given). */
  createConfigMap(namespace: string, name: string, data: Record<string, string>, owner?: BucketObject): ConfigMapObject {
    const cm: ConfigMapObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, uid: randomUUID(), resourceVersion: this.nextResourceVersion(), ...(owner ? { ownerReferences: [ownerRef(owner)] } : {}) }, data: { ...data } };
    this.configMaps.set(keyOf(namespace, name), cm);
    this.childChanged(cm);
    return clone(cm);
  }

  /** kubectl edit configmap: mutate it in place (a new resourceVersion, a watch event). */
  editConfigMap(namespace: string, name: string, mutate: (cm: ConfigMapObject) => void): void {
    const cm = this.configMaps.get(keyOf(namespace, name));
    if (!cm) return;
    mutate(cm);
    cm.metadata.resourceVersion = this.nextResourceVersion();
    this.childChanged(cm);
  }

  configMap(namespace: string, name: string): ConfigMapObject | undefined {
    const cm = this.configMaps.get(keyOf(namespace, name));
    return cm ? clone(cm) : undefined;
  }

  configMapKeys(): string[] {
    return [...this.configMaps.keys()];
  }

  /** claimChildren: the ConfigMaps whose controller owner is this Bucket (with generateSelector, also carrying its controller-uid label). */
  private owned(parent: BucketObject): ConfigMapObject[] {
    return [...this.configMaps.values()].filter(
      (cm) => cm.metadata.namespace === parent.metadata.namespace && cm.metadata.ownerReferences?.some((r) => r.uid === parent.metadata.uid && r.controller) && cm.metadata.labels?.['controller-uid'] === parent.metadata.uid,
    );
  }

  private observedChildren(parent: BucketObject): JsonObject {
    if (!this.options.childResources.includes('configmaps')) return {};
    return { 'ConfigMap.v1': Object.fromEntries(this.owned(parent).map((cm) => [cm.metadata.name, sortKeys(cm)])) };
  }

  /** GetRelatedObjects: the customize hook's rules (cached per uid and generation), filled from the ConfigMaps; undefined when the hook failed. */
  private async related(parent: BucketObject): Promise<JsonObject | undefined> {
    const url = this.options.customizeUrl;
    if (!url) return {};
    const cacheKey = `${parent.metadata.uid}/${parent.metadata.generation}`;
    let rules = this.customizeCache.get(cacheKey);
    if (!rules) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (this.options.bearerToken) headers.authorization = `Bearer ${this.options.bearerToken}`;
      try {
        const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ controller: this.controllerObject, parent: sortKeys(parent) }), signal: AbortSignal.timeout(this.options.timeoutMs) });
        if (res.status !== 200) return undefined;
        rules = ((await res.json()) as { relatedResources?: typeof rules }).relatedResources ?? [];
      } catch {
        return undefined;
      }
      this.customizeCache.set(cacheKey, rules);
    }
    const related: JsonObject = {};
    for (const rule of rules) {
      const cluster = CLUSTER_RESOURCES[`${rule.apiVersion}/${rule.resource}`];
      if (cluster) {
        const group = (related[cluster.group] ??= {}) as JsonObject;
        for (const o of this.clusterObjects.values()) if (o.kind === cluster.kind && (!rule.names || rule.names.includes(o.metadata.name))) group[o.metadata.name] = sortKeys(o);
        continue;
      }
      if (rule.apiVersion !== 'v1' || rule.resource !== 'configmaps') continue;
      const group = (related['ConfigMap.v1'] ??= {}) as JsonObject;
      for (const cm of this.configMaps.values()) {
        if ((rule.namespace ?? parent.metadata.namespace) === cm.metadata.namespace && (!rule.names || rule.names.includes(cm.metadata.name))) group[cm.metadata.name] = sortKeys(cm);
      }
    }
    return related;
  }

  /** ManageChildren with the dynamic-apply strategy and InPlace updates. */
  private manageChildren(parent: BucketObject, children: unknown): void {
    const namespace = parent.metadata.namespace;
    const desired = new Map<string, JsonObject>();
    for (const child of Array.isArray(children) ? (children as JsonObject[]) : []) {
      const meta = (child.metadata ?? {}) as { name?: string; namespace?: string; labels?: Record<string, string> };
      if (child.apiVersion !== 'v1' || child.kind !== 'ConfigMap' || typeof meta.name !== 'string') continue;
      desired.set(keyOf(meta.namespace || namespace, meta.name), child);
    }
    for (const cm of this.owned(parent)) {
      const k = keyOf(cm.metadata.namespace, cm.metadata.name);
      if (desired.has(k)) continue;
      this.configMaps.delete(k);
      this.childOperations.push({ op: 'delete', key: k });
      this.childChanged(cm);
    }
    for (const [k, child] of desired) {
      const meta = child.metadata as { name: string; labels?: Record<string, string> };
      const labels = { ...(meta.labels ?? {}), 'controller-uid': meta.labels?.['controller-uid'] ?? parent.metadata.uid };
      const data = (child.data ?? {}) as Record<string, string>;
      const existing = this.configMaps.get(k);
      if (existing && this.owned(parent).some((cm) => cm.metadata.uid === existing.metadata.uid)) {
        if (isDeepStrictEqual(existing.data, data) && isDeepStrictEqual(existing.metadata.labels, labels)) continue;
        existing.data = { ...data };
        existing.metadata.labels = labels;
        existing.metadata.resourceVersion = this.nextResourceVersion();
        this.childOperations.push({ op: 'update', key: k });
        this.childChanged(existing);
        continue;
      }
      if (existing) {
        // Create answers AlreadyExists, which Metacontroller logs and swallows: the object is left as it is.
        this.childOperations.push({ op: 'exists', key: k });
        continue;
      }
      const created: ConfigMapObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: meta.name, namespace, uid: randomUUID(), resourceVersion: this.nextResourceVersion(), labels, ownerReferences: [ownerRef(parent)] }, data: { ...data } };
      this.configMaps.set(k, created);
      this.childOperations.push({ op: 'create', key: k });
      this.childChanged(created);
    }
  }

  /** A child or related ConfigMap changed: its owner, and every Bucket whose customize rules name it, are enqueued. */
  private childChanged(cm: ConfigMapObject): void {
    this.deliver(() => {
      for (const [key, parent] of this.cache) {
        const owns = cm.metadata.ownerReferences?.some((r) => r.uid === parent.metadata.uid);
        const rules = this.customizeCache.get(`${parent.metadata.uid}/${parent.metadata.generation}`) ?? [];
        const names = rules.some((r) => r.resource === 'configmaps' && (r.namespace ?? parent.metadata.namespace) === cm.metadata.namespace && (!r.names || r.names.includes(cm.metadata.name)));
        if (owns) this.queue.add(key, 'child');
        else if (names) this.queue.add(key, 'related');
      }
    });
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
    const gone = this.objects.get(key);
    this.objects.delete(key);
    this.stats.objectsRemoved++;
    // The garbage collector: what the Bucket owned goes with it.
    for (const [k, cm] of this.configMaps) {
      if (gone && cm.metadata.ownerReferences?.some((r) => r.uid === gone.metadata.uid)) {
        this.configMaps.delete(k);
        this.childOperations.push({ op: 'gc', key: k });
      }
    }
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
    return a.resourceVersion !== b.resourceVersion && a.generation === b.generation && a.deletionTimestamp === b.deletionTimestamp && isDeepStrictEqual(a.labels, b.labels) && isDeepStrictEqual(a.annotations, b.annotations);
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

function ownerRef(parent: BucketObject): NonNullable<ConfigMapObject['metadata']['ownerReferences']>[number] {
  return { apiVersion: parent.apiVersion, kind: parent.kind, name: parent.metadata.name, uid: parent.metadata.uid, controller: true, blockOwnerDeletion: true };
}

function managedEntry(manager: string, time: string, fieldsV1: JsonObject): JsonObject {
  return { apiVersion: API_VERSION, fieldsType: 'FieldsV1', fieldsV1, manager, operation: 'Update', time };
}
