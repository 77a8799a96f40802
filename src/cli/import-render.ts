// How `npm run import` prints its result: the manifests as multi-document YAML through the YAML library,
// and every note (header, summary, why a bucket was skipped or a field left out) as a comment of one
// line. A note quotes what S3 holds (tag values, error codes), and S3 holds any text: Ceph RGW keeps
// newlines in tag values, so a note written raw could start a YAML line of its own, and an operator who
// `kubectl apply`s the output would apply what the bucket's tags smuggled in (issue 23: a
// ClusterRoleBinding to cluster-admin). So each note is made one line first: control characters, and
// the line breaks of YAML 1.1 parsers (NEL, LS, PS: kubectl's go-yaml breaks lines there), escaped.
import { Document } from 'yaml';
import type { ImportResult } from '../reconciler/import/import.js';

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** C0 and C1 controls, DEL, the line and paragraph separators, the byte order mark. */
export function isUnsafeInComment(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029 || code === 0xfeff;
}

/** The text on one line: every character isUnsafeInComment as an escape (\n, \u0085, ...). */
export function oneLine(text: string): string {
  let out = '';
  for (const c of text) out += isUnsafeInComment(c.charCodeAt(0)) ? (NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : c;
  return out;
}

/** The manifests as multi-document YAML, every note a one-line comment where it belongs. */
export function renderImport(results: ImportResult[], header: string[]): string {
  const skipped = results.filter((r) => 'skipped' in r).map((r) => `skipped ${r.bucket}: ${r.skipped}`);
  const imported = results.flatMap((r) => ('manifest' in r ? [r] : []));
  const intro = [
    ...header,
    `${results.length} bucket${results.length === 1 ? '' : 's'} found, ${imported.length} imported, ${skipped.length} skipped.`,
    ...skipped,
  ].map((l) => ` ${oneLine(l)}`);
  // Nothing imported: comments only (a document of its own would print as `null`).
  if (imported.length === 0) return `${intro.map((l) => `#${l}`).join('\n')}\n`;
  return imported
    .map((r, i) => {
      const doc = new Document(r.manifest);
      const notes = r.notes.map((n) => ` ${oneLine(`${r.bucket}: ${n}`)}`);
      const comment = [...(i === 0 ? intro : []), ...notes].join('\n');
      if (comment) doc.commentBefore = comment;
      return doc.toString({ lineWidth: 0 });
    })
    .join('---\n');
}
