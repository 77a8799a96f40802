// `npm run replay -- FILE... [--url URL] [--token-file F] [--apply]`: POSTs recorded or captured hook
// bodies to a running hook, the way Metacontroller would (finalize bodies to /finalize, others to /sync).
// DRY RUN BY DEFAULT: the hook observes S3 and answers what it would do, plan included, and writes
// nothing; so replaying a finalize body against a live hook cannot delete a bucket by accident.
// --apply sends the body for real. Exit code: 0 when every answer was 200, 1 otherwise, 2 on misuse.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

const usage = `usage: npm run replay -- FILE.json [FILE.json...] [--url http://127.0.0.1:8080] [--token-file FILE] [--apply]
  default     dry run: the hook reads S3, writes nothing, and answers its status and plan
  --apply     send for real: the hook writes to S3 (a finalize body may delete a bucket)
  --token-file  send "Authorization: Bearer <file content>"`;

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
  console.log(list.length === 0 ? 'children: none' : `children: ${list.map((c) => `${c.kind}/${c.metadata?.namespace}/${c.metadata?.name}`).join(', ')} (created or updated by Metacontroller)`);
}

function printPlan(plan: PlannedWrite[]): void {
  if (plan.length === 0) {
    console.log('plan: no S3 writes');
    return;
  }
  console.log(`plan: ${plan.length} S3 write${plan.length === 1 ? '' : 's'}, in order:`);
  plan.forEach((w, i) => console.log(`  ${i + 1}. ${w.operation} ${w.bucket} ${JSON.stringify(w.input)}`));
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
  const url = new URL(body.finalizing === true ? '/finalize' : '/sync', options.base);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (!options.apply) {
    // Both forms of the marker: either one makes the hook write nothing.
    url.searchParams.set('dryRun', 'true');
    headers['x-bucket-hook-dry-run'] = 'true';
  }
  if (options.token) headers.authorization = `Bearer ${options.token}`;
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
  try {
    new URL(values.url);
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
  return { files: positionals, options: { base: values.url, apply: values.apply, token } };
}

async function main(): Promise<void> {
  const { files, options } = await parseOptions();
  console.log(
    options.apply
      ? `APPLY: sending ${files.length} bod${files.length === 1 ? 'y' : 'ies'} for real to ${options.base}; the hook writes to S3, and finalize bodies may delete buckets`
      : `DRY RUN: the hook at ${options.base} reads S3 and writes nothing; each answer shows the S3 writes it would make (--apply to send for real)`,
  );
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
