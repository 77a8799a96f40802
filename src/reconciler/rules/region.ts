// Which regions a Bucket may name. A region string picks (and, in the adapter, creates) an S3 client,
// so a tenant's annotation must not be able to mint unbounded ones: it has to look like an AWS region,
// or be on the admin's ALLOWED_REGIONS list when one is set. The hook's own default region (AWS_REGION,
// the admin's choice) is always allowed, whatever it looks like ("default" on a stock Ceph RGW).

/** AWS's region names: partition prefix, one to three words, a number (eu-west-1, us-gov-east-1, us-isob-east-1). */
const AWS_REGION = /^[a-z]{2,5}(?:-[a-z]{2,12}){1,3}-\d{1,2}$/;

export interface RegionRules {
  /** The hook's default region: always allowed. */
  region: string;
  /** When set, the only other regions a Bucket may name. */
  allowedRegions?: readonly string[] | undefined;
}

/** Why `region` is refused, in words for the condition; undefined when it is allowed. */
export function regionProblem(region: string, rules: RegionRules): string | undefined {
  if (region === rules.region) return undefined;
  if (rules.allowedRegions) {
    if (rules.allowedRegions.includes(region)) return undefined;
    return `is "${region}", which is not a region this hook serves (allowed: ${[rules.region, ...rules.allowedRegions.filter((r) => r !== rules.region)].join(', ')}); ask the cluster admin, or remove it to use ${rules.region}`;
  }
  if (region.length <= 32 && AWS_REGION.test(region)) return undefined;
  return `is "${region.slice(0, 64)}", which is not an AWS region name (such as eu-west-1 or us-gov-west-1); remove it to use ${rules.region}`;
}

/** Where the region of a Bucket came from, as a condition names it. */
export type RegionSource = 'status.ackResourceMetadata.region' | 'annotation' | 'spec.createBucketConfiguration.locationConstraint' | 'default';

/**
 * The region a Bucket's bucket is in, or is to be created in: the one it was reported in (a bucket never
 * moves), else the region annotation, else the create's locationConstraint, else the hook's default.
 * Sync refuses an annotation that contradicts the reported region before it gets here; finalize passes
 * no locationConstraint (it reads nothing of the spec but the name, so a bad spec never blocks a deletion).
 */
export function bucketRegion(
  input: { reported?: string | undefined; annotated?: string | undefined; constraint?: string | undefined },
  defaultRegion: string,
): { region: string; from: RegionSource } {
  if (input.reported) return { region: input.reported, from: 'status.ackResourceMetadata.region' };
  if (input.annotated) return { region: input.annotated, from: 'annotation' };
  if (input.constraint) return { region: input.constraint, from: 'spec.createBucketConfiguration.locationConstraint' };
  return { region: defaultRegion, from: 'default' };
}
