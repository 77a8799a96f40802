// What a user watching `kubectl get buckets -w` sees, timed: a watch on one namespace's Buckets (the stand-in's
// informer: list, then watch, resumed and relisted as client-go does) noting when each Bucket was first seen
// Ready and when each went away. Waits are bounded and name what they waited for.
import type { KubeClient, KubeObject } from '../../cluster/support/kube-client.js';
import { Informer } from '../../cluster/metacontroller/informer.js';
import { bucketPath } from '../../cluster/support/cluster.js';

// The wall clock, as every process of the bench reads it: each process's performance.timeOrigin is fixed at its
// start, so after the system clock is adjusted two processes' timeOrigin + now() disagree (by ~960 ms in one run).
const now = (): number => Date.now();

export class BucketWatch {
  /** name -> epoch ms the watch first saw it ready. */
  readonly readyAt = new Map<string, number>();
  /** name -> epoch ms the watch saw it deleted. */
  readonly goneAt = new Map<string, number>();
  readonly live = new Set<string>();
  private readonly informer: Informer;
  private waiters: Array<() => void> = [];

  constructor(
    client: KubeClient,
    namespace: string,
    private readonly ready: (o: KubeObject) => boolean,
  ) {
    this.informer = new Informer(client, { path: bucketPath(namespace) });
    this.informer.on({
      add: (o) => this.seen(o),
      update: (_before, o) => this.seen(o),
      delete: (o) => {
        this.live.delete(o.metadata.name);
        this.goneAt.set(o.metadata.name, now());
        this.wake();
      },
    });
  }

  async start(): Promise<this> {
    this.informer.start();
    await this.informer.hasSynced();
    return this;
  }

  stop(): Promise<void> {
    return this.informer.stop();
  }

  /** Resolves once `done` holds (checked after every event); rejects after timeoutMs naming `what`. */
  async until(done: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what()}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 1000));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private seen(o: KubeObject): void {
    const name = o.metadata.name;
    this.live.add(name);
    if (!this.readyAt.has(name) && this.ready(o)) this.readyAt.set(name, now());
    this.wake();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}
