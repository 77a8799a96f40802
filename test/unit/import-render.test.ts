// Issue 23, finding 2: `npm run import` printed its notes as comments by hand, so a newline in what a
// note quotes (a tag value S3 returned) started a real YAML line. Every note is now one line, whatever
// line break it holds (those of YAML 1.2, and NEL, LS, PS, which kubectl's go-yaml also breaks on).
import t from 'tap';
import { parseAllDocuments } from 'yaml';
import { isUnsafeInComment, oneLine, renderImport } from '../../src/cli/import-render.js';
import type { BucketManifest, ImportResult } from '../../src/reconciler/import/import.js';

const SMUGGLED = [
  'x\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: imported-pwn}\n#',
  'x\rkind: ClusterRoleBinding',
  'x\u0085kind: A',
  'x\u2028kind: B',
  'x\u2029kind: C',
  'x\r\nkind: D',
  'tab\there',
  'nul\u0000',
  'bom\ufeff',
];
const manifest = (name: string): BucketManifest => ({
  apiVersion: 's3.services.k8s.aws/v1alpha1',
  kind: 'Bucket',
  metadata: { name, namespace: 'team-a', annotations: {} },
  spec: { name },
});
const BREAKS = /[\n\r\u0085\u2028\u2029]/;

t.test('oneLine: no line break, no control character survives; readable escapes', async (t) => {
  const unsafe = (text: string) => [...text].filter((c) => isUnsafeInComment(c.charCodeAt(0))).length;
  SMUGGLED.forEach((text, i) => {
    t.ok(unsafe(text) > 0, `case ${i} holds a character to escape`);
    t.equal(unsafe(oneLine(text)), 0, `case ${i}: none left`);
  });
  t.ok(isUnsafeInComment(0x85) && isUnsafeInComment(0x2028) && isUnsafeInComment(0) && !isUnsafeInComment(0x20) && !isUnsafeInComment(0xe9));
  t.equal(oneLine('a\nb\rc\td'), 'a\\nb\\rc\\td');
  t.equal(oneLine('x\u0085y\u2028z'), 'x\\u0085y\\u2028z');
  t.equal(oneLine('plain text: kept as it is (é, 🪣)'), 'plain text: kept as it is (é, 🪣)');
});

t.test('every note is a comment of one line: nothing skipped smuggles a document or a key', async (t) => {
  const skippedOnly: ImportResult[] = SMUGGLED.map((why, i) => ({ bucket: `b${i}`, skipped: why }));
  const text = renderImport(skippedOnly, ['npm run import -- --prefix b', `a header with\na newline`]);
  t.ok(
    text
      .split('\n')
      .filter((l) => l !== '')
      .every((l) => l.startsWith('#')),
    'only comment lines',
  );
  t.notMatch(text.replace(/\n/g, ''), BREAKS, 'no other line break anywhere');
  t.same(parseAllDocuments(text).filter((d) => d.contents !== null).length, 0, 'no document');

  const mixed: ImportResult[] = [
    { bucket: 'b0', skipped: SMUGGLED[0]! },
    { bucket: 'ok-1', manifest: manifest('ok-1'), notes: SMUGGLED },
    { bucket: 'ok-2', manifest: manifest('ok-2'), notes: [] },
  ];
  const out = renderImport(mixed, ['header']);
  t.notMatch(out.replace(/\n/g, ''), BREAKS);
  const docs = parseAllDocuments(out).map((d) => d.toJS() as { kind?: string; metadata?: { name?: string } });
  t.same(
    docs.map((d) => [d.kind, d.metadata?.name]),
    [
      ['Bucket', 'ok-1'],
      ['Bucket', 'ok-2'],
    ],
    'exactly the imported Buckets',
  );
});
