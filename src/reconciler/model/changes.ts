// What one reconcile changed in S3, in the user's terms: filled by sync.ts as it goes, read by events.ts
// once the answer is out. A plain record (no behaviour), so a pass cut short by its deadline still says
// what it did until then.

export interface Changes {
  /** CreateBucket succeeded in this pass. */
  created: boolean;
  /** An existing bucket became this resource's in this pass (adoption-policy adopt or adopt-or-create). */
  adopted: boolean;
  /** The spec paths written in this pass (tagging, versioning, ...), in write order. */
  applied: string[];
  /** The uid the bucket was taken back from in this pass (annotation take-back, after a restore or a cluster move). */
  takenBackFrom?: string;
}

export function noChanges(): Changes {
  return { created: false, adopted: false, applied: [] };
}
