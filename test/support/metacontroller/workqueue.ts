// client-go's rate-limited, delaying work queue (k8s.io/client-go/util/workqueue), as Metacontroller's
// controllers use it; shared by the in-memory driver and the stand-in against a real API server:
// - one key is never processed concurrently; adds coalesce while a key waits or runs (its triggers merged);
// - AddAfter keeps the earliest pending time per key;
// - AddRateLimited: the later of the key's exponential backoff (base * 2^n, capped) and a global token
//   bucket (10 qps, burst 100): DefaultTypedControllerRateLimiter; Forget resets the key's backoff.
export interface Item<T extends string = string> {
  key: string;
  triggers: T[];
}

export class WorkQueue<Trigger extends string = string> {
  private readonly order: string[] = [];
  private head = 0;
  private readonly dirty = new Map<string, Set<Trigger>>();
  private readonly processing = new Set<string>();
  private readonly waiting = new Map<string, { at: number; timer: NodeJS.Timeout; trigger: Trigger }>();
  private readonly failures = new Map<string, number>();
  private readonly wakers: Array<() => void> = [];
  private tokens: number;
  private refilledAt = performance.now();

  constructor(private readonly limits: { baseMs: number; capMs: number; qps: number; burst: number; scale: number }) {
    this.tokens = limits.burst;
  }

  get length(): number {
    return this.order.length - this.head;
  }
  get busy(): number {
    return this.processing.size;
  }
  get delayed(): number {
    return this.waiting.size;
  }

  add(key: string, trigger: Trigger): void {
    const pending = this.dirty.get(key);
    if (pending) {
      pending.add(trigger);
      return;
    }
    this.dirty.set(key, new Set([trigger]));
    if (this.processing.has(key)) return; // re-queued by done()
    this.order.push(key);
    this.wakers.shift()?.();
  }

  addAfter(key: string, ms: number, trigger: Trigger): void {
    if (ms <= 0) return this.add(key, trigger);
    const at = performance.now() + ms;
    const current = this.waiting.get(key);
    if (current && current.at <= at) return; // the earliest pending time wins
    if (current) clearTimeout(current.timer);
    const timer = setTimeout(() => {
      this.waiting.delete(key);
      this.add(key, trigger);
    }, ms);
    timer.unref();
    this.waiting.set(key, { at, timer, trigger });
  }

  /** AddRateLimited: the later of the key's exponential backoff and the global token bucket. */
  addRateLimited(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    const perKey = Math.min(this.limits.baseMs * 2 ** n, this.limits.capMs);
    const delay = Math.max(perKey, this.bucketDelay()) * this.limits.scale;
    this.addAfter(key, delay, 'retry' as Trigger);
    return delay;
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  /** The next item, or undefined once `stopped` says so. */
  async get(stopped: () => boolean): Promise<Item<Trigger> | undefined> {
    while (this.length === 0) {
      if (stopped()) return undefined;
      await new Promise<void>((resolve) => this.wakers.push(resolve));
    }
    if (stopped()) return undefined;
    const key = this.order[this.head++]!;
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order.splice(0, this.head);
      this.head = 0;
    }
    const triggers = [...(this.dirty.get(key) ?? [])];
    this.dirty.delete(key);
    this.processing.add(key);
    return { key, triggers };
  }

  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) {
      this.order.push(key);
      this.wakers.shift()?.();
    }
  }

  wakeAll(): void {
    for (const wake of this.wakers.splice(0)) wake();
  }

  clearTimers(): void {
    for (const w of this.waiting.values()) clearTimeout(w.timer);
    this.waiting.clear();
  }

  private bucketDelay(): number {
    if (!Number.isFinite(this.limits.qps)) return 0;
    const now = performance.now();
    this.tokens = Math.min(this.limits.burst, this.tokens + ((now - this.refilledAt) / 1000) * this.limits.qps);
    this.refilledAt = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.limits.qps) * 1000;
  }
}
