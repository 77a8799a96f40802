// Whether a host is this machine's loopback, for the rules that keep a secret off the network in clear
// text (config.ts: HOST without a token, KUBE_API_URL over http; cli/replay.ts: the token over http).
import { isIP } from 'node:net';

/** True for localhost, 127.0.0.0/8 (also IPv4-mapped) and ::1; a URL's hostname may keep IPv6's brackets. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:(127\.|7f[0-9a-f]{2}:)/.test(h);
  return false;
}
