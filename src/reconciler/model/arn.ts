// A bucket's ARN, both ways: the one rule for the partition a region belongs to, and the one parse of
// the bucket name back out of a reported ARN (S3 bucket ARNs have no region or account: arn:P:s3:::NAME).

export function arnOf(bucket: string, region: string): string {
  return `arn:${partitionOf(region)}:s3:::${bucket}`;
}

function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  return 'aws';
}

/** The bucket an ARN names; undefined when it is not an S3 bucket ARN. */
export function bucketOfArn(arn: string | undefined): string | undefined {
  const match = arn === undefined ? null : /^arn:[a-z-]+:s3:::([^/:]+)$/.exec(arn);
  return match?.[1];
}
