// A CompositeController's webhook settings as Metacontroller reads them (pkg/hooks/webhook.go, auth.go,
// cabundle.go): the URL (url wins over service + path), the timeout (a Go duration, default 10 s), the
// Authorization header from a Secret, the CA bundle (inline, a Secret's or a ConfigMap's key). Secrets and
// CAs are read once, when the controller is created: rotating them needs the CompositeController touched.
import { resourcePath, type KubeClient } from '../support/kube-client.js';

export interface WebhookSpec {
  url?: string;
  service?: { name: string; namespace: string; port?: number; protocol?: string };
  path?: string;
  timeout?: string;
  authorization?: { type?: string; secretRef: { name: string; namespace: string; key: string } };
  caBundle?: {
    inline?: string;
    secretRef?: { name: string; namespace: string; key?: string };
    configMapRef?: { name: string; namespace: string; key?: string };
  };
}

export interface ResolvedWebhook {
  url: string;
  timeoutMs: number;
  authorization?: string;
  ca?: string;
}

const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** time.ParseDuration, for the units Go accepts ("30s", "1m30s", "1.5s"). */
export function parseGoDuration(text: string): number {
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * UNITS[m[2]!]!;
    matched = re.lastIndex;
  }
  if (matched !== text.length || text.length === 0) throw new Error(`time: invalid duration "${text}"`);
  return total;
}

export async function resolveWebhook(client: KubeClient, spec: WebhookSpec): Promise<ResolvedWebhook> {
  let url = spec.url;
  if (!url && spec.service && spec.path) {
    const s = spec.service;
    url = `${s.protocol ?? 'http'}://${s.name}.${s.namespace}:${s.port ?? 80}${spec.path}`;
  }
  if (!url) throw new Error('invalid webhook config: neither url nor service and path are set');
  let timeoutMs = 10_000;
  if (spec.timeout) {
    const parsed = parseGoDuration(spec.timeout);
    timeoutMs = parsed > 0 ? parsed : 10_000;
  }
  const resolved: ResolvedWebhook = { url, timeoutMs };
  if (spec.authorization) {
    const type = spec.authorization.type ?? 'Bearer';
    if (type === 'Basic') throw new Error('authorization type Basic is not allowed: use basicAuth');
    const value = await secretValue(client, spec.authorization.secretRef.namespace, spec.authorization.secretRef.name, spec.authorization.secretRef.key);
    resolved.authorization = `${type} ${value}`;
  }
  if (spec.caBundle) {
    const b = spec.caBundle;
    if (b.inline) resolved.ca = b.inline;
    else if (b.secretRef) resolved.ca = await secretValue(client, b.secretRef.namespace, b.secretRef.name, b.secretRef.key ?? 'ca.crt');
    else if (b.configMapRef) {
      const cm = await client.must<{ data?: Record<string, string> }>('GET', resourcePath('v1', 'configmaps', b.configMapRef.namespace, b.configMapRef.name));
      const value = cm.data?.[b.configMapRef.key ?? 'ca.crt'];
      if (!value) throw new Error(`configmap ${b.configMapRef.namespace}/${b.configMapRef.name} has no key ${b.configMapRef.key ?? 'ca.crt'}`);
      resolved.ca = value;
    }
  }
  return resolved;
}

async function secretValue(client: KubeClient, namespace: string, name: string, key: string): Promise<string> {
  const secret = await client.must<{ data?: Record<string, string> }>('GET', resourcePath('v1', 'secrets', namespace, name));
  const encoded = secret.data?.[key];
  if (encoded === undefined) throw new Error(`secret ${namespace}/${name} has no key ${key}`);
  return Buffer.from(encoded, 'base64').toString('utf8').trim();
}
