// Metacontroller's event recorder (client-go's record.EventRecorder, core/v1 Events): a Warning SyncError on
// the parent when a sync fails. client-go's correlator turns a repeat (same object, reason and message)
// into a PATCH of the event's count, and its spam filter allows each object a burst of 25 events, then
// one per 5 minutes (Metacontroller's --events-burst / --events-qps defaults).
import { randomBytes } from 'node:crypto';
import { resourcePath, type KubeClient, type KubeObject } from '../support/kube-client.js';

interface Recorded {
  name: string;
  count: number;
}

export class EventRecorder {
  private readonly recorded = new Map<string, Recorded>();
  private readonly budget = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly client: KubeClient,
    private readonly component = 'metacontroller',
    private readonly burst = 25,
    private readonly refillMs = 300_000,
  ) {}

  async warning(object: KubeObject, reason: string, message: string): Promise<void> {
    const namespace = object.metadata.namespace ?? 'default';
    const objectKey = `${object.metadata.uid}`;
    if (!this.allow(objectKey)) return;
    const key = `${objectKey}/${reason}/${message}`;
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const seen = this.recorded.get(key);
    try {
      if (seen) {
        seen.count++;
        const res = await this.client.request(
          'PATCH',
          resourcePath('v1', 'events', namespace, seen.name),
          { count: seen.count, lastTimestamp: now },
          { contentType: 'application/strategic-merge-patch+json' },
        );
        if (res.status < 300) return;
      }
      const name = `${object.metadata.name}.${randomBytes(8).toString('hex')}`;
      await this.client.request('POST', resourcePath('v1', 'events', namespace), {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace },
        involvedObject: {
          apiVersion: object.apiVersion,
          kind: object.kind,
          name: object.metadata.name,
          namespace,
          uid: object.metadata.uid,
          resourceVersion: object.metadata.resourceVersion,
        },
        reason,
        message: message.slice(0, 1024),
        type: 'Warning',
        source: { component: this.component },
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      });
      this.recorded.set(key, { name, count: 1 });
    } catch {
      // Events are best effort, as in client-go: a failure is dropped.
    }
  }

  private allow(key: string): boolean {
    const now = performance.now();
    const b = this.budget.get(key) ?? { tokens: this.burst, at: now };
    b.tokens = Math.min(this.burst, b.tokens + (now - b.at) / this.refillMs);
    b.at = now;
    this.budget.set(key, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}
