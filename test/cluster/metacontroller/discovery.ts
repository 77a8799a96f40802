// What Metacontroller learns from the API server's discovery documents: a resource's kind and whether it
// is namespaced (its dynamic clientset resolves apiVersion + plural through discovery, refreshed every
// --discovery-interval); and label selectors as apimachinery evaluates them.
import type { KubeClient } from '../support/kube-client.js';

export interface ResourceInfo {
  apiVersion: string;
  resource: string;
  kind: string;
  namespaced: boolean;
  subresources: string[];
}

interface ApiResourceList {
  resources: Array<{ name: string; kind: string; namespaced: boolean }>;
}

export class Discovery {
  private readonly lists = new Map<string, { at: number; list: ApiResourceList }>();

  constructor(
    private readonly client: KubeClient,
    private readonly refreshMs: number,
  ) {}

  /** The resource, or undefined when the API server does not serve it (yet: a CRD not established). */
  async resource(apiVersion: string, resource: string): Promise<ResourceInfo | undefined> {
    const list = await this.list(apiVersion);
    const entry = list?.resources.find((r) => r.name === resource);
    if (!list || !entry) return undefined;
    const subresources = list.resources.filter((r) => r.name.startsWith(`${resource}/`)).map((r) => r.name.slice(resource.length + 1));
    return { apiVersion, resource, kind: entry.kind, namespaced: entry.namespaced, subresources };
  }

  private async list(apiVersion: string): Promise<ApiResourceList | undefined> {
    const cached = this.lists.get(apiVersion);
    if (cached && performance.now() - cached.at < this.refreshMs) return cached.list;
    const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const res = await this.client.request<ApiResourceList>('GET', path);
    if (res.status === 404) {
      this.lists.delete(apiVersion);
      return undefined;
    }
    if (res.status !== 200) throw new Error(`discovery of ${apiVersion}: HTTP ${res.status}`);
    this.lists.set(apiVersion, { at: performance.now(), list: res.body });
    return res.body;
  }
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }>;
}

/** metav1.LabelSelectorAsSelector(...).Matches: an absent selector matches everything. */
export function selectorMatches(selector: LabelSelector | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector) return true;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(l, e.key);
    const value = l[e.key];
    switch (e.operator) {
      case 'In':
        if (!has || !(e.values ?? []).includes(value!)) return false;
        break;
      case 'NotIn':
        if (has && (e.values ?? []).includes(value!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        throw new Error(`unknown label selector operator ${String(e.operator)}`);
    }
  }
  return true;
}
