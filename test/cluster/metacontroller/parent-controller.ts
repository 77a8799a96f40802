// One CompositeController's parent controller (Metacontroller's pkg/controller/composite/controller.go), for
// a namespaced parent with v1 hooks and no rolling update strategies: an informer of the parents (and one
// per child resource), a rate-limited work queue and --workers workers running syncParentObject:
//   1. the finalizer added (a GET + PUT, retried on conflict) when a finalize hook is set, or removed when not;
//   2. children claimed (owned by the parent through a controller reference and carrying its selector's
//      labels: with generateSelector, controller-uid=<parent uid>);
//   3. related objects from the customize hook;
//   4. the sync hook, or the finalize hook while the parent is being deleted;
//   5. resyncAfterSeconds > 0 -> AddAfter; finalized -> the finalizer removed;
//   6. children created, updated in place (InPlace; other methods act as OnDelete) or deleted;
//   7. the status replaced wholesale with observedGeneration = the generation sent, written through /status
//      only when it differs from the live object's (NotFound and Conflict swallowed).
// A failed call writes nothing, records a Warning SyncError event and requeues rate-limited; a 429 requeues
// after Retry-After. With ignoreStatusChanges, an update that changes neither generation, labels, annotations
// nor deletionTimestamp enqueues nothing, except the informer's resync, which hands the same object twice
// (v4.17.2's fix, #1252; before it, resyncs were dropped as well).
import { isDeepStrictEqual } from 'node:util';
import { callWebhook, type WebhookViolation } from '../../support/metacontroller/webhook.js';
import { WorkQueue } from '../../support/metacontroller/workqueue.js';
import { KubeError, resourcePath, type JsonObject, type KubeClient, type KubeObject, type OwnerReference } from '../support/kube-client.js';
import { selectorMatches, type Discovery, type LabelSelector, type ResourceInfo } from './discovery.js';
import type { EventRecorder } from './events.js';
import { Informer } from './informer.js';
import { groupKey, RelatedObjects } from './related.js';
import type { ResolvedWebhook } from './webhook-config.js';

export type Trigger = 'add' | 'update' | 'delete' | 'resync' | 'resync-after' | 'retry' | 'retry-after' | 'child' | 'related' | 'period';

export interface ParentControllerOptions {
  workers: number;
  /** --cache-flush-interval (ms): the informers' resync period. */
  cacheFlushMs: number;
  /** Behave as Metacontroller before v4.17.2: resyncs filtered out by ignoreStatusChanges (#1136). */
  dropResyncsWithIgnoreStatusChanges: boolean;
  log: (line: JsonObject) => void;
}

export interface CallRecord {
  key: string;
  hook: 'sync' | 'finalize';
  triggers: Trigger[];
  generation: number;
  code: string;
  ms: number;
  violations: WebhookViolation[];
  /** When things happened, epoch ms (Date.now(), sub-ms from performance): for the bench's breakdown of apply -> Ready. */
  times: CallTimes;
  /** The answer's Ready condition status and resyncAfterSeconds, when it answered. */
  ready?: string;
  resyncAfterSeconds?: number;
}

export interface CallTimes {
  /** An informer event first enqueued the key (absent for AddAfter: resync-after, retries). */
  queued?: number;
  /** A worker took the key off the queue (syncParentObject began). */
  picked: number;
  /** The finalizer step was done (the hook call's body built after the related objects). */
  finalizerDone: number;
  /** The related objects were known (the customize hook called, or its cached answer used). */
  relatedDone: number;
  /** The sync or finalize call was sent. */
  hookStarted: number;
  /** The status write (GET, then PUT when it differs) was done; absent until then or when the call failed. */
  statusDone?: number;
  /** Whether that write PUT a new status (false: the live status was already equal). */
  statusWritten?: boolean;
}

/** Epoch ms with sub-millisecond precision. */
// The wall clock, as every process of the bench reads it: each process's performance.timeOrigin is fixed at its
// start, so after the system clock is adjusted two processes' timeOrigin + now() disagree (by ~960 ms in one run).
const now = (): number => Date.now();

/** Counts for figures that /calls (the last 10,000 calls) cannot give over a long run. */
export interface CallCounts {
  sync: number;
  finalize: number;
  customize: number;
  statusWrites: number;
  byTrigger: Partial<Record<Trigger, number>>;
}

interface ChildRule {
  info: ResourceInfo;
  informer: Informer;
  method: string;
}

const LAST_APPLIED = 'metacontroller.k8s.io/last-applied-configuration';

export class ParentController {
  private readonly queue = new WorkQueue<Trigger>({ baseMs: 5, capMs: 1_000_000, qps: 10, burst: 100, scale: 1 });
  private readonly parents: Informer;
  private readonly children: ChildRule[] = [];
  private readonly related: RelatedObjects;
  private readonly finalizer: string;
  private running = true;
  private readonly inFlight = new Set<AbortController>();
  private workers: Array<Promise<void>> = [];
  private periodic: NodeJS.Timeout | undefined;
  readonly calls: CallRecord[] = [];
  readonly counts: CallCounts = { sync: 0, finalize: 0, customize: 0, statusWrites: 0, byTrigger: {} };
  /** key -> when an informer event first enqueued it since a worker last took it. */
  private readonly queuedAt = new Map<string, number>();

  constructor(
    private readonly client: KubeClient,
    private readonly discovery: Discovery,
    private readonly recorder: EventRecorder,
    private readonly cc: KubeObject & { spec: CompositeSpec },
    private readonly parent: ResourceInfo,
    private readonly hooks: { sync?: ResolvedWebhook; finalize?: ResolvedWebhook; customize?: ResolvedWebhook },
    private readonly options: ParentControllerOptions,
  ) {
    this.finalizer = `metacontroller.io/compositecontroller-${cc.metadata.name}`;
    this.parents = new Informer(client, {
      path: resourcePath(parent.apiVersion, parent.resource),
      resyncMs: options.cacheFlushMs,
      onError: (err) => this.options.log({ msg: 'parent informer', err: String(err) }),
    });
    this.related = new RelatedObjects(
      client,
      discovery,
      hooks.customize,
      cc,
      () => this.parents.cache.values(),
      (p) => this.enqueue(p, 'related'),
      () => this.counts.customize++,
    );
  }

  async start(): Promise<void> {
    for (const rule of this.cc.spec.childResources ?? []) {
      const info = await this.discovery.resource(rule.apiVersion, rule.resource);
      if (!info) throw new Error(`can't find child resource ${rule.apiVersion}/${rule.resource}`);
      const informer = new Informer(this.client, { path: resourcePath(info.apiVersion, info.resource), resyncMs: this.options.cacheFlushMs });
      informer.on({
        add: (o) => this.childChanged(o),
        update: (b, a) => b.metadata.resourceVersion !== a.metadata.resourceVersion && this.childChanged(a, b),
        delete: (o) => this.childChanged(o),
      });
      informer.start();
      await informer.hasSynced();
      this.children.push({ info, informer, method: rule.updateStrategy?.method ?? 'OnDelete' });
    }
    this.parents.on({
      add: (o) => this.enqueue(o, 'add'),
      update: (before, after) => this.parentUpdated(before, after),
      delete: (o) => this.enqueue(o, 'delete'),
    });
    this.parents.start();
    await this.parents.hasSynced();
    const period = this.cc.spec.resyncPeriodSeconds;
    if (period !== undefined) {
      this.periodic = setInterval(
        () => {
          // AddEventHandlerWithResyncPeriod: the same object handed as old and new, through the update filter.
          for (const p of this.parents.cache.values()) this.parentUpdated(p, p, 'period');
        },
        Math.max(1, period) * 1000,
      );
      this.periodic.unref();
    }
    this.workers = Array.from({ length: this.options.workers }, () => this.work());
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.periodic) clearInterval(this.periodic);
    for (const call of this.inFlight) call.abort();
    this.queue.wakeAll();
    await Promise.all(this.workers);
    this.queue.clearTimers();
    await Promise.all([this.parents.stop(), this.related.stop(), ...this.children.map((c) => c.informer.stop())]);
  }

  get pending(): { queued: number; running: number; delayed: number } {
    return { queued: this.queue.length, running: this.queue.busy, delayed: this.queue.delayed };
  }

  private parentUpdated(before: KubeObject, after: KubeObject, trigger?: Trigger): void {
    const ignore = this.cc.spec.parentResource.ignoreStatusChanges === true;
    const resync = before === after;
    if (ignore && (!resync || this.options.dropResyncsWithIgnoreStatusChanges)) {
      const a = before.metadata;
      const b = after.metadata;
      if (a.generation === b.generation && isDeepStrictEqual(a.labels, b.labels) && isDeepStrictEqual(a.annotations, b.annotations) && !b.deletionTimestamp)
        return;
    }
    this.enqueue(after, trigger ?? (resync ? 'resync' : 'update'));
  }

  private enqueue(parent: KubeObject, trigger: Trigger): void {
    if (!this.matchesLabels(parent) && !parent.metadata.finalizers?.includes(this.finalizer)) return;
    const key = Informer.key(parent);
    if (!this.queuedAt.has(key)) this.queuedAt.set(key, now());
    this.queue.add(key, trigger);
  }

  private matchesLabels(parent: KubeObject): boolean {
    return selectorMatches(this.cc.spec.parentResource.labelSelector, parent.metadata.labels);
  }

  /** onChildAdd/Update/Delete: the child's controller owner, when it is one of our parents. */
  private childChanged(...states: KubeObject[]): void {
    for (const child of states) {
      const ref = controllerRef(child);
      if (!ref || ref.kind !== this.parent.kind || ref.apiVersion.split('/')[0] !== this.parent.apiVersion.split('/')[0]) continue;
      const owner = this.parents.cache.get(`${child.metadata.namespace}/${ref.name}`);
      if (owner && owner.metadata.uid === ref.uid) this.enqueue(owner, 'child');
    }
  }

  private async work(): Promise<void> {
    for (;;) {
      const item = await this.queue.get(() => !this.running);
      if (!item) return;
      try {
        const parent = this.parents.cache.get(item.key);
        const queued = this.queuedAt.get(item.key);
        this.queuedAt.delete(item.key);
        if (parent) await this.syncParent(parent, item.triggers, { picked: now(), ...(queued !== undefined ? { queued } : {}) });
        this.queue.forget(item.key);
      } catch (err) {
        if (!this.running) continue;
        if (err instanceof TooManyRequests) this.queue.addAfter(item.key, err.afterMs, 'retry-after');
        else {
          const parent = this.parents.cache.get(item.key);
          this.options.log({ msg: 'sync failed', key: item.key, err: (err as Error).message });
          if (parent) void this.recorder.warning(parent, 'SyncError', `Sync error: ${(err as Error).message}`);
          this.queue.addRateLimited(item.key);
        }
      } finally {
        this.queue.done(item.key);
      }
    }
  }

  private async syncParent(cached: KubeObject, triggers: Trigger[], picked: { picked: number; queued?: number }): Promise<void> {
    let parent = cached;
    if (!parent.metadata.finalizers?.includes(this.finalizer) && !this.matchesLabels(parent)) return;
    parent = await this.syncFinalizer(parent);
    const finalizerDone = now();
    const observedChildren = this.claimChildren(parent);
    const related = await this.related.objectsFor(parent);
    const relatedDone = now();
    const finalizing = this.hooks.finalize !== undefined && (parent.metadata.deletionTimestamp !== undefined || !this.matchesLabels(parent));
    const hook = finalizing ? this.hooks.finalize! : this.hooks.sync;
    if (!hook) throw new Error('sync hook nil/not defined');
    const body = JSON.stringify({ controller: this.cc, parent, children: observedChildren, related, finalizing });
    const abort = new AbortController();
    this.inFlight.add(abort);
    const started = performance.now();
    const hookStarted = now();
    const outcome = await callWebhook({
      url: hook.url,
      body,
      ...(hook.authorization ? { authorization: hook.authorization } : {}),
      ...(hook.ca ? { ca: hook.ca } : {}),
      timeoutMs: hook.timeoutMs,
      signal: abort.signal,
      finalizing,
      childAllowed: (child) => this.children.some((c) => c.info.kind === child.kind && c.info.apiVersion === child.apiVersion),
    }).finally(() => this.inFlight.delete(abort));
    const key = Informer.key(parent);
    const kind = finalizing ? 'finalize' : 'sync';
    const answer = outcome.ok
      ? (outcome.response as { status?: { conditions?: Array<{ type?: string; status?: string }> } | null; resyncAfterSeconds?: number })
      : undefined;
    const ready = answer?.status?.conditions?.find((c) => c.type === 'Ready')?.status;
    const record: CallRecord = {
      key,
      hook: kind,
      triggers,
      generation: parent.metadata.generation ?? 0,
      code: outcome.code,
      ms: performance.now() - started,
      violations: outcome.violations,
      times: { ...picked, finalizerDone, relatedDone, hookStarted },
      ...(ready !== undefined ? { ready } : {}),
      ...(typeof answer?.resyncAfterSeconds === 'number' ? { resyncAfterSeconds: answer.resyncAfterSeconds } : {}),
    };
    this.calls.push(record);
    if (this.calls.length > 10_000) this.calls.splice(0, 5_000);
    this.counts[kind]++;
    for (const t of triggers) this.counts.byTrigger[t] = (this.counts.byTrigger[t] ?? 0) + 1;
    if (!outcome.ok) {
      if (outcome.retryAfterMs !== undefined) throw new TooManyRequests(outcome.retryAfterMs);
      throw new Error(`sync hook failed for ${key}: ${outcome.error}`);
    }
    const response = outcome.response as { status?: JsonObject | null; children?: KubeObject[] | null; resyncAfterSeconds?: number; finalized?: boolean };
    if (typeof response.resyncAfterSeconds === 'number' && response.resyncAfterSeconds > 0)
      this.queue.addAfter(key, response.resyncAfterSeconds * 1000, 'resync-after');
    if (response.finalized === true) {
      const updated = await this.updateFinalizers(parent, (f) => f.filter((x) => x !== this.finalizer));
      if (!updated) return;
      parent = updated;
    }
    let manageError: Error | undefined;
    const stillOurs = parent.metadata.finalizers?.includes(this.finalizer) === true;
    if (!parent.metadata.deletionTimestamp || (this.hooks.finalize && stillOurs && !hasGcFinalizer(parent))) {
      manageError = await this.manageChildren(parent, observedChildren, response.children ?? []).then(
        () => undefined,
        (err: Error) => err,
      );
    }
    const written = await this.updateStatus(parent, response.status ?? {});
    record.times.statusDone = now();
    record.times.statusWritten = written;
    if (written) this.counts.statusWrites++;
    if (manageError) throw new Error(`can't reconcile children for ${key}: ${manageError.message}`);
  }

  /** finalizer.SyncObject: the cached object is trusted when it is already right. */
  private async syncFinalizer(parent: KubeObject): Promise<KubeObject> {
    const has = parent.metadata.finalizers?.includes(this.finalizer) === true;
    const want = this.hooks.finalize !== undefined;
    if (has === want) return parent;
    if (want) {
      if (parent.metadata.deletionTimestamp) return parent;
      const updated = await this.updateFinalizers(parent, (f) => [...f, this.finalizer]);
      if (!updated) throw new Error(`can't sync finalizer: ${Informer.key(parent)} is gone`);
      return updated;
    }
    return (await this.updateFinalizers(parent, (f) => f.filter((x) => x !== this.finalizer))) ?? parent;
  }

  /** GET + PUT with the finalizers changed, retried on conflict; undefined when the object is gone. */
  private async updateFinalizers(parent: KubeObject, change: (finalizers: string[]) => string[]): Promise<KubeObject | undefined> {
    const path = resourcePath(this.parent.apiVersion, this.parent.resource, parent.metadata.namespace, parent.metadata.name);
    for (let attempt = 0; attempt < 5; attempt++) {
      const live = await this.client.request<KubeObject>('GET', path);
      if (live.status === 404) return undefined;
      if (live.status !== 200) throw new KubeError(live.status, 'Get', `can't get ${path}: ${live.status}`);
      if (live.body.metadata.uid !== parent.metadata.uid) return undefined;
      const before = live.body.metadata.finalizers ?? [];
      const after = change(before);
      if (isDeepStrictEqual(before, after)) return live.body;
      const put = await this.client.request<KubeObject>('PUT', path, { ...live.body, metadata: { ...live.body.metadata, finalizers: after } });
      if (put.status === 200) return put.body;
      if (put.status === 404) return undefined;
      if (put.status !== 409)
        throw new KubeError(put.status, 'Update', `can't update finalizers of ${path}: ${put.status} ${JSON.stringify(put.body).slice(0, 300)}`);
    }
    throw new Error(`can't update finalizers of ${path}: conflicts`);
  }

  /** claimChildren: per child rule, the objects in the parent's namespace whose controller is the parent and whose labels match its selector. */
  private claimChildren(parent: KubeObject): Record<string, Record<string, KubeObject>> {
    const selector = this.selector(parent);
    const map: Record<string, Record<string, KubeObject>> = {};
    for (const rule of this.children) {
      const group = (map[groupKey(rule.info.kind, rule.info.apiVersion)] ??= {});
      for (const child of rule.informer.cache.values()) {
        if (child.metadata.namespace !== parent.metadata.namespace) continue;
        if (controllerRef(child)?.uid === parent.metadata.uid && selectorMatches(selector, child.metadata.labels)) group[child.metadata.name] = child;
      }
    }
    return map;
  }

  private selector(parent: KubeObject): LabelSelector {
    if (this.cc.spec.generateSelector) return { matchLabels: { 'controller-uid': parent.metadata.uid } };
    const selector = (parent as { spec?: { selector?: LabelSelector } }).spec?.selector;
    if (!selector || (!Object.keys(selector.matchLabels ?? {}).length && !(selector.matchExpressions ?? []).length))
      throw new Error('.spec.selector must have either matchLabels, matchExpressions, or both');
    return selector;
  }

  /** ManageChildren: delete what the answer left out, create what is missing, update InPlace children that differ. */
  private async manageChildren(parent: KubeObject, observed: Record<string, Record<string, KubeObject>>, desiredList: KubeObject[]): Promise<void> {
    const errors: string[] = [];
    const selector = this.selector(parent);
    const desired = new Map<string, KubeObject>();
    for (const child of desiredList) {
      const labels = { ...(child.metadata.labels ?? {}) };
      if (this.cc.spec.generateSelector && labels['controller-uid'] === undefined) labels['controller-uid'] = parent.metadata.uid;
      if (!selectorMatches(selector, labels)) throw new Error(`labels on desired child ${child.kind} ${child.metadata.name} don't match parent selector`);
      desired.set(`${groupKey(child.kind, child.apiVersion)}/${child.metadata.name}`, {
        ...child,
        metadata: { ...child.metadata, namespace: child.metadata.namespace || parent.metadata.namespace!, labels },
      });
    }
    for (const [group, objects] of Object.entries(observed)) {
      for (const [name, object] of Object.entries(objects)) {
        if (object.metadata.deletionTimestamp || desired.has(`${group}/${name}`)) continue;
        const rule = this.ruleOf(object.kind, object.apiVersion)!;
        const res = await this.client.request('DELETE', resourcePath(rule.info.apiVersion, rule.info.resource, object.metadata.namespace, name), {
          apiVersion: 'v1',
          kind: 'DeleteOptions',
          preconditions: { uid: object.metadata.uid },
          propagationPolicy: 'Background',
        });
        if (res.status >= 300 && res.status !== 404) errors.push(`can't delete ${object.kind} ${name}: ${res.status}`);
      }
    }
    for (const [k, child] of desired) {
      const rule = this.ruleOf(child.kind, child.apiVersion);
      if (!rule) {
        errors.push(`no childResources rule for ${child.kind} ${child.apiVersion}`);
        continue;
      }
      const group = k.slice(0, k.lastIndexOf('/'));
      const existing = observed[group]?.[child.metadata.name];
      const applied = JSON.stringify(child);
      const path = resourcePath(rule.info.apiVersion, rule.info.resource, child.metadata.namespace);
      if (!existing) {
        const body = {
          ...child,
          metadata: {
            ...child.metadata,
            annotations: { ...(child.metadata.annotations ?? {}), [LAST_APPLIED]: applied },
            ownerReferences: [...(child.metadata.ownerReferences ?? []), ownerRef(parent)],
          },
        };
        const res = await this.client.request('POST', path, body);
        if (res.status >= 300 && res.status !== 409)
          errors.push(`can't create ${child.kind} ${child.metadata.name}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
        continue;
      }
      if (rule.method !== 'InPlace' && rule.method !== 'RollingInPlace') continue;
      if (existing.metadata.annotations?.[LAST_APPLIED] === applied) continue;
      // dynamic-apply's three-way merge reduces, for a child whose every field the hook states, to taking the
      // desired content over the live object's system fields.
      const updated = {
        ...existing,
        ...child,
        metadata: { ...existing.metadata, labels: child.metadata.labels, annotations: { ...(child.metadata.annotations ?? {}), [LAST_APPLIED]: applied } },
      };
      const res = await this.client.request('PUT', `${path}/${encodeURIComponent(child.metadata.name)}`, updated);
      if (res.status >= 300 && res.status !== 409) errors.push(`can't update ${child.kind} ${child.metadata.name}: ${res.status}`);
    }
    if (errors.length > 0) throw new Error(errors.join('; '));
  }

  private ruleOf(kind: string, apiVersion: string): ChildRule | undefined {
    return this.children.find((c) => c.info.kind === kind && c.info.apiVersion === apiVersion);
  }

  /** updateParentStatus: AtomicStatusUpdate with observedGeneration injected; nothing written when the live status is equal. Whether it PUT one. */
  private async updateStatus(parent: KubeObject, status: JsonObject): Promise<boolean> {
    const wanted = { ...status, observedGeneration: parent.metadata.generation ?? 0 };
    const path = resourcePath(this.parent.apiVersion, this.parent.resource, parent.metadata.namespace, parent.metadata.name);
    for (let attempt = 0; attempt < 5; attempt++) {
      const live = await this.client.request<KubeObject & { status?: JsonObject }>('GET', path);
      if (live.status === 404) return false;
      if (live.status !== 200) throw new Error(`can't get ${path}: ${live.status}`);
      if (live.body.metadata.uid !== parent.metadata.uid) return false;
      if (isDeepStrictEqual(live.body.status, wanted)) return false;
      const sub = this.parent.subresources.includes('status');
      const put = await this.client.request('PUT', sub ? `${path}/status` : path, { ...live.body, status: wanted });
      if (put.status === 200 || put.status === 404 || put.status === 409) return put.status === 200;
      throw new Error(`can't update status for ${Informer.key(parent)}: ${put.status} ${JSON.stringify(put.body).slice(0, 500)}`);
    }
    return false;
  }
}

export interface CompositeSpec {
  parentResource: { apiVersion: string; resource: string; labelSelector?: LabelSelector; ignoreStatusChanges?: boolean };
  childResources?: Array<{ apiVersion: string; resource: string; updateStrategy?: { method?: string } }>;
  hooks?: { sync?: { webhook?: JsonObject }; finalize?: { webhook?: JsonObject }; customize?: { webhook?: JsonObject } };
  resyncPeriodSeconds?: number;
  generateSelector?: boolean;
}

class TooManyRequests extends Error {
  constructor(readonly afterMs: number) {
    super('too many requests');
  }
}

function controllerRef(object: KubeObject): OwnerReference | undefined {
  return object.metadata.ownerReferences?.find((r) => r.controller === true);
}

function ownerRef(parent: KubeObject): OwnerReference {
  return { apiVersion: parent.apiVersion, kind: parent.kind, name: parent.metadata.name, uid: parent.metadata.uid, controller: true, blockOwnerDeletion: true };
}

function hasGcFinalizer(object: KubeObject): boolean {
  return (object.metadata.finalizers ?? []).some((f) => f === 'foregroundDeletion' || f === 'orphan');
}
