// client-go's reflector and shared informer, reduced to what the stand-in needs: list, then watch from the
// list's resourceVersion; a watch the server ends is resumed from the last resourceVersion seen, a 410 Gone
// (the version was compacted) relists; the cache is handed to add/update/delete handlers in event order;
// a resync period replays every cached object as an update with the same resourceVersion (Metacontroller's
// --cache-flush-interval).
import { KubeError, type KubeClient, type KubeObject, type WatchEvent } from '../support/kube-client.js';

export interface InformerHandlers {
  add?(object: KubeObject): void;
  update?(before: KubeObject, after: KubeObject): void;
  delete?(object: KubeObject): void;
}

export interface InformerOptions {
  /** The collection path, e.g. /apis/s3.services.k8s.aws/v1alpha1/buckets (all namespaces). */
  path: string;
  /** A label selector for the list and the watch. */
  labelSelector?: string;
  /** Replay every cached object as an update this often (0: never). */
  resyncMs?: number;
  /** Told of a list or watch failure (the informer retries after a second). */
  onError?(err: unknown): void;
}

export class Informer {
  readonly cache = new Map<string, KubeObject>();
  private readonly handlers: InformerHandlers[] = [];
  private readonly abort = new AbortController();
  private synced = false;
  private syncWaiters: Array<() => void> = [];
  private resyncTimer: NodeJS.Timeout | undefined;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly client: KubeClient,
    private readonly options: InformerOptions,
  ) {}

  static key(object: KubeObject): string {
    return object.metadata.namespace ? `${object.metadata.namespace}/${object.metadata.name}` : object.metadata.name;
  }

  on(handlers: InformerHandlers): void {
    this.handlers.push(handlers);
  }

  start(): void {
    if (this.loop) return;
    this.loop = this.run();
    if (this.options.resyncMs && this.options.resyncMs > 0) {
      this.resyncTimer = setInterval(() => {
        for (const object of this.cache.values()) for (const h of this.handlers) h.update?.(object, object);
      }, this.options.resyncMs);
      this.resyncTimer.unref();
    }
  }

  /** Resolves once the first list is in the cache. */
  hasSynced(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    this.abort.abort();
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    await this.loop?.catch(() => undefined);
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    let resourceVersion: string | undefined;
    while (!signal.aborted) {
      try {
        if (resourceVersion === undefined) resourceVersion = await this.list();
        let gone = false;
        await this.client.watch(
          this.withSelector(this.options.path),
          resourceVersion,
          (event) => {
            if (event.type === 'ERROR') {
              const status = event.object as unknown as { code?: number };
              if (status.code === 410) gone = true;
              return;
            }
            resourceVersion = event.object.metadata.resourceVersion;
            if (event.type !== 'BOOKMARK') this.apply(event);
          },
          signal,
        );
        if (gone) resourceVersion = undefined;
      } catch (err) {
        if (signal.aborted) return;
        if (err instanceof KubeError && err.status === 410) resourceVersion = undefined;
        this.options.onError?.(err);
        await new Promise((r) => setTimeout(r, 1000).unref());
      }
    }
  }

  /** A full list: replaces the cache, telling the handlers what was added, changed or went missing. */
  private async list(): Promise<string> {
    const body = await this.client.must<{ metadata: { resourceVersion: string }; items: KubeObject[]; kind: string; apiVersion: string }>(
      'GET',
      this.withSelector(this.options.path),
    );
    const kind = body.kind.replace(/List$/, '');
    const seen = new Set<string>();
    for (const item of body.items) {
      // Items of a list carry no kind or apiVersion: the list's own name them.
      const object = { ...item, kind, apiVersion: body.apiVersion };
      const key = Informer.key(object);
      seen.add(key);
      const before = this.cache.get(key);
      this.cache.set(key, object);
      for (const h of this.handlers) {
        if (!before) h.add?.(object);
        else if (before.metadata.resourceVersion !== object.metadata.resourceVersion) h.update?.(before, object);
      }
    }
    for (const [key, object] of [...this.cache]) {
      if (seen.has(key)) continue;
      this.cache.delete(key);
      for (const h of this.handlers) h.delete?.(object);
    }
    if (!this.synced) {
      this.synced = true;
      for (const wake of this.syncWaiters.splice(0)) wake();
    }
    return body.metadata.resourceVersion;
  }

  private apply(event: WatchEvent): void {
    const object = event.object;
    const key = Informer.key(object);
    const before = this.cache.get(key);
    if (event.type === 'DELETED') {
      this.cache.delete(key);
      for (const h of this.handlers) h.delete?.(object);
      return;
    }
    this.cache.set(key, object);
    for (const h of this.handlers) {
      if (before) h.update?.(before, object);
      else h.add?.(object);
    }
  }

  private withSelector(path: string): string {
    if (!this.options.labelSelector) return path;
    return `${path}${path.includes('?') ? '&' : '?'}labelSelector=${encodeURIComponent(this.options.labelSelector)}`;
  }
}
