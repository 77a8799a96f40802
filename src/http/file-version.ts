// What identifies a file's content without reading it: device, inode, size, and mtime and ctime in ns.
// It follows symlinks (stat, not lstat), so a Kubernetes Secret volume's atomic symlink swap shows as a
// new version. Used by the token (auth.ts) and the TLS files (tls.ts) to reload only what changed.
import { stat } from 'node:fs/promises';

export async function fileVersion(path: string): Promise<string> {
  const s = await stat(path, { bigint: true });
  return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
}
