// What the cluster admin allows each namespace: adopting existing buckets at all, which bucket names it
// may create or adopt, and whether empty-on-delete may delete the objects of a bucket it adopted.
// Defaults follow ACK (every namespace may adopt, any name), except emptying an adopted bucket: no
// namespace may, since any namespace may adopt (issue 23: adopt, then wipe, in the default install).

export interface TenancyRules {
  /** ADOPTION_NAMESPACES: "all" (default), or the only namespaces whose Buckets may adopt (empty: none). */
  adoptionNamespaces: 'all' | readonly string[];
  /**
   * BUCKET_NAME_PREFIX: a prefix every bucket name must start with, `{namespace}` standing for the
   * Bucket's namespace (e.g. "{namespace}-" lets team-a use team-a-* only). Unset: any name.
   */
  bucketNamePrefix?: string | undefined;
  /**
   * EMPTY_ADOPTED_BUCKETS_NAMESPACES: the namespaces whose Buckets may empty (empty-on-delete) a bucket
   * they did not create: adopted, or marked before the origin tag existed. Unset: none ("all" for every one).
   */
  emptyAdoptedNamespaces?: 'all' | readonly string[] | undefined;
  /**
   * TAKE_BACK_NAMESPACES: the namespaces whose Buckets may take back (annotation s3.services.k8s.aws/take-back)
   * a bucket tagged for the same namespace and name under another uid: after a restore or a cluster move.
   * Unset: none.
   */
  takeBackNamespaces?: 'all' | readonly string[] | undefined;
}

export const OPEN_TENANCY: TenancyRules = { adoptionNamespaces: 'all' };

export function mayAdopt(namespace: string, rules: TenancyRules): boolean {
  return rules.adoptionNamespaces === 'all' || rules.adoptionNamespaces.includes(namespace);
}

export function requiredPrefix(namespace: string, rules: TenancyRules): string | undefined {
  return rules.bucketNamePrefix?.replaceAll('{namespace}', namespace);
}

export function mayEmptyAdopted(namespace: string, rules: TenancyRules): boolean {
  const allowed = rules.emptyAdoptedNamespaces ?? [];
  return allowed === 'all' || allowed.includes(namespace);
}

export function mayTakeBack(namespace: string, rules: TenancyRules): boolean {
  const allowed = rules.takeBackNamespaces ?? [];
  return allowed === 'all' || allowed.includes(namespace);
}
