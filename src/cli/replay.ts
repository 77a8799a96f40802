// `npm run replay -- FILE... [--url URL] [--token-file F] [--apply]`: POSTs recorded or captured hook
// bodies to a running hook, the way Metacontroller would (finalize bodies to /finalize, others to /sync).
// DRY RUN BY DEFAULT: the hook observes S3 and answers what it would do, plan included, and writes
// nothing; so replaying a finalize body against a live hook cannot delete a bucket by accident. A dry
// run first checks that the hook honours the marker, with a probe that is harmless even where it does
// not (a Bucket whose name S3 would refuse: answered InvalidSpec before any S3 call), and sends no body
// until it does: a server that ignored the marker used to get the finalize body, and a warning came after.
// --apply sends the body for real. The token (--token-file) goes over plain http only to loopback unless
// --allow-cleartext-token says otherwise. Exit code: 0 when every answer was 200, 1 otherwise, 2 on misuse.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { isLoopback } from '../loopback.js';
import { PROBE_BODY } from './dry-run-probe.js';

const usage = `usage: npm run replay -- FILE.json [FILE.json...] [--url http://127.0.0.1:8080] [--token-file FILE] [--apply]
  default     dry run: the hook reads S3, writes nothing, and answers its status and plan
              (a harmless probe first checks that the hook honours the dry run; nothing is sent if not)
  --apply     send for real: the hook writes to S3 (a finalize body may delete a bucket)
  --token-file  send "Authorization: Bearer <file content>" (over plain http to loopback only)
  --allow-cleartext-token  send the token over plain http to a host that is not loopback anyway`;

interface Options {
  base: string;
  apply: boolean;
  token: string | undefined;
}

interface PlannedWrite {
  operation: string;
  bucket: string;
  input: unknown;
}

interface PlannedEvent {
  type: string;
  reason: string;
  action: string;
  note: string;
}

/** The Kubernetes Events the answer would record, and the children (the coordinates ConfigMap) it would keep. */
function printEventsAndChildren(events: PlannedEvent[], children: unknown): void {
  if (events.length === 0) console.log('events: none');
  else {
    console.log(`events: ${events.length}, on the Bucket:`);
    events.forEach((e, i) => console.log(`  ${i + 1}. ${e.type} ${e.reason} (${e.action}): ${e.note}`));
  }
  const list = Array.isArray(children) ? (children as Array<{ kind?: string; metadata?: { namespace?: string; name?: string } }>) : [];
  console.log(
    list.length === 0
      ? 'children: none'
      : `children: ${list.map((c) => `${c.kind}/${c.metadata?.namespace}/${c.metadata?.name}`).join(', ')} (created or updated by Metacontroller)`,
  );
}

function printPlan(plan: PlannedWrite[]): void {
  if (plan.length === 0) {
    console.log('plan: no S3 writes');
    return;
  }
  console.log(`plan: ${plan.length} S3 write${plan.length === 1 ? '' : 's'}, in order:`);
  plan.forEach((w, i) => console.log(`  ${i + 1}. ${w.operation} ${w.bucket} ${JSON.stringify(w.input)}`));
}

/** The URL and headers of one hook call: the dry-run marker in both forms (either makes the hook write nothing) unless --apply. */
function request(path: '/sync' | '/finalize', options: Options): { url: URL; headers: Record<string, string> } {
  const url = new URL(path, options.base);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (!options.apply) {
    url.searchParams.set('dryRun', 'true');
    headers['x-bucket-hook-dry-run'] = 'true';
  }
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  return { url, headers };
}

/** Whether the hook honours the dry-run marker, asked with the harmless probe; why not, when it does not. */
async function dryRunRefusal(options: Options): Promise<string | undefined> {
  const { url, headers } = request('/sync', options);
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(PROBE_BODY) });
  const text = await res.text();
  let answer: { plan?: unknown; message?: unknown } | undefined;
  try {
    answer = JSON.parse(text) as { plan?: unknown; message?: unknown };
  } catch {
    answer = undefined;
  }
  if (res.status === 200 && Array.isArray(answer?.plan)) return undefined;
  if (res.status !== 200)
    return `the hook answered the dry-run probe with HTTP ${res.status}${typeof answer?.message === 'string' ? ` (${answer.message.slice(0, 200)})` : ''}`;
  return 'the hook answered the dry-run probe without a plan, so it does not honour the dry run (is it an older version?) and would APPLY what it is sent';
}

async function replay(file: string, options: Options): Promise<boolean> {
  const text = await readFile(file, 'utf8');
  let body: { finalizing?: unknown };
  try {
    body = JSON.parse(text) as { finalizing?: unknown };
  } catch (err) {
    console.error(`${file}: not JSON (${(err as Error).message})`);
    return false;
  }
  const { url, headers } = request(body.finalizing === true ? '/finalize' : '/sync', options);
  const started = performance.now();
  const res = await fetch(url, { method: 'POST', headers, body: text });
  const ms = Math.round(performance.now() - started);
  const answer = await res.text();
  console.log(`# ${file} -> POST ${url.href}: HTTP ${res.status} in ${ms} ms`);
  let parsed: { plan?: unknown } | undefined;
  try {
    parsed = JSON.parse(answer) as { plan?: unknown };
  } catch {
    console.log(answer); // not JSON: print as is
    return false;
  }
  if (res.status !== 200 || options.apply) {
    console.log(JSON.stringify(parsed, null, 2));
    return res.status === 200;
  }
  if (!Array.isArray(parsed.plan)) {
    console.log(JSON.stringify(parsed, null, 2));
    console.error(`${file}: the hook answered without a plan, so it did not honour the dry run and MAY HAVE APPLIED this body (is it an older version?)`);
    return false;
  }
  const { plan, events, ...rest } = parsed as { plan: unknown; events?: unknown; children?: unknown };
  printPlan(plan as PlannedWrite[]);
  printEventsAndChildren(Array.isArray(events) ? (events as PlannedEvent[]) : [], rest.children);
  console.log('answer it would return:');
  console.log(JSON.stringify(rest, null, 2));
  return true;
}

async function parseOptions(): Promise<{ files: string[]; options: Options }> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        url: { type: 'string', default: 'http://127.0.0.1:8080' },
        'token-file': { type: 'string' },
        apply: { type: 'boolean', default: false },
        'allow-cleartext-token': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    console.error(`${(err as Error).message}\n${usage}`);
    process.exit(2);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  if (positionals.length === 0) {
    console.error(usage);
    process.exit(2);
  }
  let url: URL;
  try {
    url = new URL(values.url);
  } catch {
    console.error(`--url "${values.url}" is not a URL\n${usage}`);
    process.exit(2);
  }
  let token: string | undefined;
  if (values['token-file'] !== undefined) {
    try {
      token = (await readFile(values['token-file'], 'utf8')).trim();
    } catch (err) {
      console.error(`--token-file: ${(err as Error).message}`);
      process.exit(2);
    }
    if (!token) {
      console.error(`--token-file ${values['token-file']} is empty`);
      process.exit(2);
    }
  }
  // The token opens every bucket the hook can reach: not in clear text across a network unless asked.
  if (token && url.protocol === 'http:' && !isLoopback(url.hostname) && !values['allow-cleartext-token']) {
    console.error(
      `--url ${values.url} is plain http to a host that is not loopback: the token from --token-file would cross the network in clear text. ` +
        'Use https://, or a port-forward to 127.0.0.1 (kubectl -n bucket-system port-forward deploy/bucket-hook 8080), or add --allow-cleartext-token to send it anyway.',
    );
    process.exit(2);
  }
  return { files: positionals, options: { base: values.url, apply: values.apply, token } };
}

async function main(): Promise<void> {
  const { files, options } = await parseOptions();
  console.log(
    options.apply
      ? `APPLY: sending ${files.length} bod${files.length === 1 ? 'y' : 'ies'} for real to ${options.base}; the hook writes to S3, and finalize bodies may delete buckets`
      : `DRY RUN: the hook at ${options.base} reads S3 and writes nothing; each answer shows the S3 writes it would make (--apply to send for real)`,
  );
  if (!options.apply) {
    let refusal: string | undefined;
    try {
      refusal = await dryRunRefusal(options);
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      refusal = `the dry-run probe failed: ${(err as Error).message}${cause?.code ? ` (${cause.code}: is the hook running at ${options.base}?)` : ''}`;
    }
    if (refusal) {
      console.error(`${refusal}. Nothing was sent.`);
      process.exit(1);
    }
  }
  let ok = true;
  for (const file of files) {
    try {
      ok = (await replay(file, options)) && ok;
    } catch (err) {
      // fetch hides the reason in `cause` (ECONNREFUSED, a bad port...).
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message;
      console.error(`${file}: ${(err as Error).message}${why ? ` (${why}: is the hook running at ${options.base}?)` : ''}`);
      ok = false;
    }
  }
  process.exit(ok ? 0 : 1);
}

void main();
