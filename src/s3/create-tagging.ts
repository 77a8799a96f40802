// What an S3 endpoint does with the tags sent in CreateBucket, learned once per process.
//
// AWS applies them with the create, atomically: a bucket that exists carries our ownership tags, even if
// the hook dies right after the call. Ceph RGW ignores them (non-default regions) or refuses the whole
// create body when it holds only Tags (us-east-1: InvalidArgument). On such stores a new bucket is
// unmarked until the PutBucketTagging that follows, so the reconciler records its intent in the status
// before creating (see sync.ts); it asks this memo whether that extra step is needed.

/**
 * - honoured: tags sent with CreateBucket are on the bucket when the create answers (AWS).
 * - ignored: the store accepts them but drops them (RGW with a LocationConstraint).
 * - refused: the store refuses a create body with tags; creates go without them (RGW in us-east-1).
 * - unknown: not learned yet; treated like ignored (the safe side).
 */
export type CreateTagging = 'honoured' | 'ignored' | 'refused' | 'unknown';

export class CreateTaggingMemo {
  constructor(private state: CreateTagging) {}

  get(): CreateTagging {
    return this.state;
  }

  /** Whether tags should go with the create at all. */
  get sendTags(): boolean {
    return this.state !== 'refused';
  }

  /** The bucket was read back right after a create that carried tags: were they there? */
  learn(honoured: boolean): void {
    if (this.state === 'refused') return;
    this.state = honoured ? 'honoured' : 'ignored';
  }

  /** A create body with tags was refused and the same create without them succeeded. */
  refuse(): void {
    this.state = 'refused';
  }
}

/** Real AWS (no custom endpoint) honours tags at create; for any other endpoint it is learned. */
export function initialCreateTagging(endpoint: string | undefined): CreateTagging {
  return endpoint ? 'unknown' : 'honoured';
}
