// Figures 3 and 4 against the hook in its own process: the drift-check interval it is configured with,
// what one drift check costs each process in CPU, and the echo path's throughput against the HTTP floor
// (a bare Fastify handler answering the same body), both driven by autocannon under the same settings.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import autocannon from 'autocannon';
import type { HookResponse } from '../../src/reconciler/resource.js';
import { bucketResource, envelope } from '../support/envelope.js';
import { rawClient, removeBucket, uniqueBucket, type RgwEnv } from '../support/rgw.js';
import { postBody, s3Requests } from './hook-client.js';
import { sixFieldSpec } from './in-process.js';
import { cpuOf, cpuSeconds, rgwPids } from './machine.js';
import { startFloor, type ServerProcess } from './processes.js';
import { log, ms, num, type Figure } from './report.js';

export interface ThroughputOptions {
  seconds: number;
  connections: number;
  checks: number;
}

async function cannon(url: string, body: string, connections: number, seconds: number): Promise<autocannon.Result> {
  return autocannon({ url, method: 'POST', headers: { 'content-type': 'application/json' }, body, connections, duration: seconds, pipelining: 1 });
}

export async function throughputFigures(env: RgwEnv, hook: ServerProcess, options: ThroughputOptions): Promise<Figure[]> {
  const sync = `${hook.url}/sync`;
  const client = rawClient(env, 'hook');
  const bucket = uniqueBucket('bench-echo');
  const uid = '0f0f0f0f-1111-4222-8333-555555555555';
  const spec = sixFieldSpec(bucket);
  let floor: ServerProcess | undefined;
  try {
    const created = await postBody(sync, JSON.stringify(envelope(bucketResource({ uid, spec }))));
    if (created.code !== 200) throw new Error(`hook answered ${created.code}: ${created.text}`);
    const first = JSON.parse(created.text) as HookResponse;
    const status = first.status;

    // What one drift check costs each side, in CPU, with the hook in its own process.
    const driftBody = JSON.stringify(envelope(bucketResource({ uid, spec, status })));
    const rgw = Object.values(rgwPids());
    const [hook0, rgw0, calls0] = [cpuSeconds(hook.pid) ?? 0, cpuOf(rgw), await s3Requests(hook.url)];
    const latencies: number[] = [];
    for (let i = 0; i < options.checks; i++) latencies.push((await postBody(sync, driftBody)).ms);
    const [hook1, rgw1, calls1] = [cpuSeconds(hook.pid) ?? 0, cpuOf(rgw), await s3Requests(hook.url)];
    latencies.sort((a, b) => a - b);

    // The echo body, its answer (the floor answers the same bytes), and the two load runs.
    const echoBody = JSON.stringify(envelope(bucketResource({ uid, spec, status, keepLastCheck: true })));
    const echo = await postBody(sync, echoBody);
    const echoAnswer = JSON.parse(echo.text) as HookResponse;
    if (echo.code !== 200 || !isDeepStrictEqual(echoAnswer.status, status)) throw new Error(`the echo did not answer its status: ${echo.text}`);
    const answerFile = path.join(tmpdir(), `bucket-hook-bench-answer-${process.pid}.json`);
    writeFileSync(answerFile, echo.text);
    floor = await startFloor(answerFile);
    const floorSync = `${floor.url}/sync`;
    log(`autocannon: ${options.connections} connections, warm-up 2 s, then ${options.seconds} s against the hook and the floor`);
    await cannon(sync, echoBody, options.connections, 2);
    await cannon(floorSync, echoBody, options.connections, 2);
    const before = await s3Requests(hook.url);
    const hookRun = await cannon(sync, echoBody, options.connections, options.seconds);
    const during = (await s3Requests(hook.url)) - before;
    const floorRun = await cannon(floorSync, echoBody, options.connections, options.seconds);
    const ratio = hookRun.requests.average / floorRun.requests.average;
    const failed = hookRun.non2xx + hookRun.errors + floorRun.non2xx + floorRun.errors;
    const perCheck = (v: number): string => ms((v * 1000) / options.checks);
    return [
      { id: '2', figure: `drift check, hook in its own process (${options.checks} checks, median)`, value: ms(latencies[Math.floor(latencies.length / 2)] ?? 0) },
      { id: '2', figure: 'CPU per drift check: hook / RGW daemons', value: `${perCheck(hook1 - hook0)} / ${perCheck(rgw1 - rgw0)}` },
      { id: '2', figure: 'S3 calls per drift check (wire, hook process)', value: num((calls1 - calls0) / options.checks, 1) },
      { id: '3', figure: 'drift-check interval (resyncAfterSeconds when in sync)', value: `${first.resyncAfterSeconds ?? '?'} s`, target: 'documented (ACK: 10 h)' },
      { id: '4', figure: `echo /sync throughput, hook (${options.connections} conn, ${options.seconds} s)`, value: `${num(hookRun.requests.average)} req/s (p50 ${hookRun.latency.p50} ms, p99 ${hookRun.latency.p99} ms)` },
      { id: '4', figure: 'bare Fastify, same body (the HTTP floor)', value: `${num(floorRun.requests.average)} req/s (p50 ${floorRun.latency.p50} ms, p99 ${floorRun.latency.p99} ms)` },
      { id: '4', figure: 'S3 calls during the hook run / failed requests', value: `${during} / ${failed}`, target: '0 / 0', ok: during === 0 && failed === 0, gate: true },
      { id: '4', figure: 'echo throughput / floor', value: ratio.toFixed(2), target: '>= 0.5', ok: ratio >= 0.5, gate: true },
    ];
  } finally {
    await floor?.stop();
    await removeBucket(client, bucket);
    client.destroy();
  }
}
