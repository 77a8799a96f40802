// `npm run replay -- FILE... [--url URL]`: POSTs recorded hook bodies to a running hook, the way
// Metacontroller would (finalize bodies to /finalize, others to /sync), and prints each answer.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

const usage = 'usage: npm run replay -- FILE.json [FILE.json...] [--url http://127.0.0.1:8080]';

async function replay(file: string, base: string): Promise<boolean> {
  let body: { finalizing?: unknown };
  const text = await readFile(file, 'utf8');
  try {
    body = JSON.parse(text) as { finalizing?: unknown };
  } catch (err) {
    console.error(`${file}: not JSON (${(err as Error).message})`);
    return false;
  }
  const path = body.finalizing === true ? '/finalize' : '/sync';
  const url = new URL(path, base);
  const started = performance.now();
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });
  const ms = Math.round(performance.now() - started);
  const answer = await res.text();
  let pretty = answer;
  try {
    pretty = JSON.stringify(JSON.parse(answer), null, 2);
  } catch {
    // not JSON: print as is
  }
  console.log(`# ${file} -> POST ${url.href}: HTTP ${res.status} in ${ms} ms`);
  console.log(pretty);
  return res.status === 200;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { url: { type: 'string', default: 'http://127.0.0.1:8080' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help || positionals.length === 0) {
    console.error(usage);
    process.exit(values.help ? 0 : 2);
  }
  let ok = true;
  for (const file of positionals) {
    try {
      ok = (await replay(file, values.url)) && ok;
    } catch (err) {
      console.error(`${file}: ${(err as Error).message}${(err as { cause?: { code?: string } }).cause?.code ? ` (${(err as { cause: { code: string } }).cause.code}: is the hook running at ${values.url}?)` : ''}`);
      ok = false;
    }
  }
  process.exit(ok ? 0 : 1);
}

void main();
