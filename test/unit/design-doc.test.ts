// docs/design.md describes the tree as it is: every src/ path it names exists (a `*` names at least one
// file), and every folder under src/ is named in it as `src/FOLDER/`. A renamed file or a new folder
// fails here until the page follows.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const page = readFileSync(join(ROOT, 'docs/design.md'), 'utf8');

/** Every src/ path the page names, as written (a trailing dot of a sentence dropped). */
export function namedPaths(text: string): string[] {
  return [...new Set([...text.matchAll(/\bsrc\/[\w./*-]*/g)].map((m) => m[0].replace(/\.$/, '')))];
}

function exists(path: string): boolean {
  if (!path.includes('*')) return existsSync(join(ROOT, path));
  const dir = join(ROOT, dirname(path));
  const [head, tail] = path.split('/').pop()!.split('*') as [string, string];
  return existsSync(dir) && readdirSync(dir).some((f) => f.startsWith(head) && f.endsWith(tail));
}

function folders(dir: string): string[] {
  return readdirSync(join(ROOT, dir))
    .filter((f) => statSync(join(ROOT, dir, f)).isDirectory())
    .flatMap((f) => [`${dir}/${f}/`, ...folders(`${dir}/${f}`)]);
}

t.test('every src/ path the page names exists', async (t) => {
  const named = namedPaths(page);
  t.ok(named.length > 20, `the page names the tree (${named.length} paths)`);
  t.same(
    named.filter((p) => !exists(p)),
    [],
    'no path named on the page is missing from the tree',
  );
});

t.test('every folder under src/ is named on the page', async (t) => {
  const all = folders('src').map((f) => relative(ROOT, join(ROOT, f)) + '/');
  t.ok(all.includes('src/reconciler/steps/'));
  t.same(
    all.filter((f) => !page.includes(f)),
    [],
    'no folder of src/ is left out of docs/design.md',
  );
});

t.test('the checks can fail', async (t) => {
  t.same(namedPaths('see `src/reconciler/respond.ts` and src/http/routes/hooks.ts.'), ['src/reconciler/respond.ts', 'src/http/routes/hooks.ts']);
  t.notOk(exists('src/reconciler/respond.ts'), 'a file that is gone is reported missing');
  t.notOk(exists('src/s3/nothing-*.ts'), 'a pattern that names no file is reported missing');
  t.ok(exists('src/s3/sdk-*.ts'));
});
