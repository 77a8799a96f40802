// The claim a Bucket's status holds on its bucket name (status.claim): "this hook was about to create
// this bucket for this resource (uid, namespace, name) at this time", signed with a key only the hook
// holds (CLAIM_KEY_FILE; see docs/security.md). It is what lets the crash-safe create survive a crash
// between CreateBucket and the tagging after it on stores that drop the tags sent with the create (Ceph
// RGW): the next sync finds an unmarked bucket, and only a claim this hook signed for this very resource
// and bucket, older than the bucket, makes it the resource's (claim.ts). A status is written by whoever
// may write buckets/status, and a request body by any holder of the hook's token: neither can sign.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { BucketClaim } from '../model/resource.js';
import type { ResourceRef } from '../model/types.js';

const PURPOSE = 'bucket-hook claim v1';

/** The HMAC key claims are signed with. */
export class ClaimKey {
  private constructor(
    private readonly secret: Buffer,
    /** Where it came from, for the start-up log: "file", or "process" (random, gone at restart). */
    readonly source: 'file' | 'process',
  ) {}

  /** The content of CLAIM_KEY_FILE (trimmed; its length is checked where the file is read). */
  static fromSecret(secret: string): ClaimKey {
    return new ClaimKey(Buffer.from(secret, 'utf8'), 'file');
  }

  /** A key of this process only: a claim made before a restart (or by another replica) is not trusted. */
  static random(): ClaimKey {
    return new ClaimKey(randomBytes(32), 'process');
  }

  private mac(ref: Pick<ResourceRef, 'uid' | 'namespace' | 'name'>, bucket: string, time: string): Buffer {
    // A JSON array: no separator a name could smuggle in makes two claims sign the same text.
    return createHmac('sha256', this.secret)
      .update(JSON.stringify([PURPOSE, ref.uid, ref.namespace, ref.name, bucket, time]))
      .digest();
  }

  sign(ref: Pick<ResourceRef, 'uid' | 'namespace' | 'name'>, bucket: string, time: string): BucketClaim {
    return { bucket, time, proof: this.mac(ref, bucket, time).toString('base64url') };
  }

  /** True when `claim` was signed with this key for this resource and this bucket. */
  verify(claim: BucketClaim, ref: Pick<ResourceRef, 'uid' | 'namespace' | 'name'>, bucket: string): boolean {
    if (claim.bucket !== bucket || Number.isNaN(Date.parse(claim.time))) return false;
    const given = Buffer.from(claim.proof, 'base64url');
    const expected = this.mac(ref, bucket, claim.time);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}

/** The key of a process whose deps name none (tests, tools): random, this process only. */
export const PROCESS_CLAIM_KEY = ClaimKey.random();

/** Characters a CLAIM_KEY_FILE must hold at least (e.g. `openssl rand -hex 32` writes 64). */
export const MIN_CLAIM_KEY_LENGTH = 32;
