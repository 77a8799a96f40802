// What the cluster admin allows each namespace: adopting existing buckets at all, and which bucket names
// it may create or adopt. Defaults follow ACK: every namespace may adopt, any name.

export interface TenancyRules {
  /** ADOPTION_NAMESPACES: "all" (default), or the only namespaces whose Buckets may adopt (empty: none). */
  adoptionNamespaces: 'all' | readonly string[];
  /**
   * BUCKET_NAME_PREFIX: a prefix every bucket name must start with, `{namespace}` standing for the
   * Bucket's namespace (e.g. "{namespace}-" lets team-a use team-a-* only). Unset: any name.
   */
  bucketNamePrefix?: string | undefined;
}

export const OPEN_TENANCY: TenancyRules = { adoptionNamespaces: 'all' };

export function mayAdopt(namespace: string, rules: TenancyRules): boolean {
  return rules.adoptionNamespaces === 'all' || rules.adoptionNamespaces.includes(namespace);
}

export function requiredPrefix(namespace: string, rules: TenancyRules): string | undefined {
  return rules.bucketNamePrefix?.replaceAll('{namespace}', namespace);
}
