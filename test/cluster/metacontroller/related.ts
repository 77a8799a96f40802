// The customize hook and related objects (Metacontroller's pkg/controller/common/customize/manager.go), for
// v1 hooks: the hook's answer is cached per parent (uid, generation) for 20 minutes; each rule selects from an
// informer of its resource (started on first use) by labels, namespace + labels, or namespace + names; for a
// namespaced parent, namespaced related objects come only from the parent's namespace. A change to a related
// object enqueues every parent whose cached rules select its old or new state.
import { callWebhook } from '../../support/metacontroller/webhook.js';
import { resourcePath, type KubeClient, type KubeObject } from '../support/kube-client.js';
import { selectorMatches, type Discovery, type LabelSelector, type ResourceInfo } from './discovery.js';
import { Informer } from './informer.js';
import type { ResolvedWebhook } from './webhook-config.js';

export interface RelatedRule {
  apiVersion: string;
  resource: string;
  labelSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  namespace?: string;
  names?: string[];
}

type ObjectMap = Record<string, Record<string, KubeObject>>;

const CACHE_MS = 20 * 60_000;

/** "<Kind>.<apiVersion>" (the core group as "<Kind>.v1"): the key of a group in `children` and `related`. */
export function groupKey(kind: string, apiVersion: string): string {
  return `${kind}.${apiVersion}`;
}

export class RelatedObjects {
  private readonly responses = new Map<string, { at: number; rules: RelatedRule[] }>();
  private readonly informers = new Map<string, { info: ResourceInfo; informer: Informer }>();

  constructor(
    private readonly client: KubeClient,
    private readonly discovery: Discovery,
    private readonly hook: ResolvedWebhook | undefined,
    private readonly controllerObject: KubeObject,
    /** Every parent the controller caches, for finding the ones a changed object concerns. */
    private readonly parents: () => Iterable<KubeObject>,
    private readonly enqueue: (parent: KubeObject) => void,
    /** Told of each customize hook call (the stand-in's counts). */
    private readonly onCall: () => void = () => undefined,
  ) {}

  get enabled(): boolean {
    return this.hook !== undefined;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.informer.stop()));
  }

  /** The `related` of a hook request; throws when the customize hook fails (the sync is then retried). */
  async objectsFor(parent: KubeObject): Promise<ObjectMap> {
    const related: ObjectMap = {};
    if (!this.hook) return related;
    const rules = await this.rules(parent);
    for (const rule of rules) {
      const { info, informer } = await this.informer(rule.apiVersion, rule.resource);
      const group = (related[groupKey(info.kind, info.apiVersion)] ??= {});
      for (const object of informer.cache.values()) {
        if (this.matches(parent, object, rule, info)) group[object.metadata.name] = object;
      }
    }
    return related;
  }

  private async rules(parent: KubeObject): Promise<RelatedRule[]> {
    const key = `${parent.metadata.uid}/${parent.metadata.generation ?? 0}`;
    const cached = this.responses.get(key);
    if (cached && performance.now() - cached.at < CACHE_MS) return cached.rules;
    this.onCall();
    const outcome = await callWebhook({
      url: this.hook!.url,
      body: JSON.stringify({ controller: this.controllerObject, parent }),
      ...(this.hook!.authorization ? { authorization: this.hook!.authorization } : {}),
      ...(this.hook!.ca ? { ca: this.hook!.ca } : {}),
      timeoutMs: this.hook!.timeoutMs,
      finalizing: false,
    });
    if (!outcome.ok) throw new Error(`customize hook failed: ${outcome.error}`);
    const rules = ((outcome.response as { relatedResources?: RelatedRule[] }).relatedResources ?? []).map((r) => ({ ...r }));
    for (const rule of rules) {
      if (rule.names?.length && (rule.labelSelector || rule.namespaceSelector))
        throw new Error(`related rule cannot have both names and labelSelector/namespaceSelector specified: ${JSON.stringify(rule)}`);
      if (rule.namespace && rule.namespaceSelector)
        throw new Error(`related rule cannot have both namespace and namespaceSelector specified: ${JSON.stringify(rule)}`);
      const info = (await this.informer(rule.apiVersion, rule.resource)).info;
      if (rule.namespaceSelector && info.namespaced) throw new Error('namespaceSelector is not supported for namespaced parent in v1 hook version');
      if (info.namespaced && rule.namespace && rule.namespace !== parent.metadata.namespace)
        throw new Error(`requested related object namespace ${rule.namespace} differs from parent object namespace ${parent.metadata.namespace}`);
    }
    this.responses.set(key, { at: performance.now(), rules });
    return rules;
  }

  /** matchesRelatedRule for a namespaced parent and a v1 hook. */
  private matches(parent: KubeObject, object: KubeObject, rule: RelatedRule, info: ResourceInfo): boolean {
    if (info.namespaced && object.metadata.namespace !== parent.metadata.namespace) return false;
    if (rule.names?.length) return rule.names.includes(object.metadata.name);
    if (rule.namespace || !rule.labelSelector) return rule.labelSelector ? selectorMatches(rule.labelSelector, object.metadata.labels) : true;
    return selectorMatches(rule.labelSelector, object.metadata.labels);
  }

  private async informer(apiVersion: string, resource: string): Promise<{ info: ResourceInfo; informer: Informer }> {
    const key = `${apiVersion}/${resource}`;
    const existing = this.informers.get(key);
    if (existing) return existing;
    const info = await this.discovery.resource(apiVersion, resource);
    if (!info) throw new Error(`unknown related rule ${apiVersion}/${resource}`);
    const informer = new Informer(this.client, { path: resourcePath(apiVersion, resource) });
    const entry = { info, informer };
    this.informers.set(key, entry);
    informer.on({
      add: (o) => this.changed(o),
      update: (before, after) => {
        if (before.metadata.resourceVersion !== after.metadata.resourceVersion) this.changed(before, after);
      },
      delete: (o) => this.changed(o),
    });
    informer.start();
    await informer.hasSynced();
    return entry;
  }

  /** findRelatedParents: every parent whose cached rules select one of these states of the object. */
  private changed(...states: KubeObject[]): void {
    for (const parent of this.parents()) {
      const cached = this.responses.get(`${parent.metadata.uid}/${parent.metadata.generation ?? 0}`);
      if (!cached) continue;
      const hit = cached.rules.some((rule) => {
        const entry = this.informers.get(`${rule.apiVersion}/${rule.resource}`);
        return entry !== undefined && states.some((o) => o.kind === entry.info.kind && this.matches(parent, o, rule, entry.info));
      });
      if (hit) this.enqueue(parent);
    }
  }
}
