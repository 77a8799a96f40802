// Talking to the hook process: a POST of a prepared body, and its S3 request counter (the SDK
// adapter's onRequest, exported at GET /metrics as bucket_hook_s3_requests_total; /metrics is on the
// hook's admin port: pass ServerProcess.metricsUrl).
import { parseSamples } from '../support/prom-text.js';

export interface Answer {
  code: number;
  text: string;
  ms: number;
}

export async function postBody(url: string, body: string): Promise<Answer> {
  const started = performance.now();
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  return { code: res.status, text, ms: performance.now() - started };
}

async function scrape(metricsUrl: string): Promise<ReturnType<typeof parseSamples>> {
  const res = await fetch(`${metricsUrl}/metrics`, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`GET /metrics answered ${res.status}`);
  return parseSamples(await res.text());
}

/** Every HTTP request the hook has sent to S3 so far. */
export async function s3Requests(metricsUrl: string): Promise<number> {
  return (await scrape(metricsUrl)).filter((s) => s.name === 'bucket_hook_s3_requests_total').reduce((sum, s) => sum + s.value, 0);
}

/** The hook's V8 heap in use (prom-client's default process metrics), in bytes. */
export async function heapUsed(metricsUrl: string): Promise<number | undefined> {
  return (await scrape(metricsUrl)).find((s) => s.name === 'nodejs_heap_size_used_bytes')?.value;
}
