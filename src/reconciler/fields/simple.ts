// Settings that are a single value with an S3 default: versioning, accelerate, request payment, ABAC,
// public access block, ownership controls, default encryption.
import type { EncryptionConfig } from '../../s3/port.js';
import { clean } from '../model/canonical.js';
import { documentField } from './document.js';
import { list, oneOf, section, text } from './spec-access.js';

/**
 * The rules of a `{status}` setting: unmanaged without a status; S3's "never configured" equals
 * `fallback`. The status is one of `statuses` (the spec schema's enum, checked before any field runs).
 */
function statusRules<S extends string>(key: string, statuses: readonly S[], fallback: S) {
  return {
    desired: (spec: Record<string, unknown>) => {
      const status = oneOf(text(section(spec, key)?.status), statuses);
      return status ? { status } : undefined;
    },
    removes: () => false,
    // A bucket that never had versioning reports no status: the same as Suspended for the user.
    canonical: (v: { status?: S } | undefined) => v?.status ?? fallback,
    removal: { put: { status: fallback } },
  };
}

const ENABLED_SUSPENDED = ['Enabled', 'Suspended'] as const;

// A bucket created with object lock has versioning on from its create.
export const versioningField = documentField({
  path: 'spec.versioning',
  config: 'versioning',
  ...statusRules('versioning', ENABLED_SUSPENDED, 'Suspended'),
  unsetAtCreate: (d) => d.create.objectLockEnabledForBucket !== true,
});
export const accelerateField = documentField({
  path: 'spec.accelerate',
  config: 'accelerate',
  ...statusRules('accelerate', ENABLED_SUSPENDED, 'Suspended'),
  unsetAtCreate: true,
});
export const abacField = documentField({
  path: 'spec.abac',
  config: 'abac',
  ...statusRules('abac', ['Enabled', 'Disabled'] as const, 'Disabled'),
  unsetAtCreate: true,
});

export const requestPaymentField = documentField({
  path: 'spec.requestPayment',
  config: 'requestPayment',
  desired: (spec) => {
    const payer = oneOf(text(section(spec, 'requestPayment')?.payer), ['BucketOwner', 'Requester'] as const);
    return payer ? { payer } : undefined;
  },
  removes: () => false,
  canonical: (v) => v?.payer ?? 'BucketOwner',
  removal: { put: { payer: 'BucketOwner' } },
  unsetAtCreate: true,
});

const PAB_KEYS = ['blockPublicACLs', 'ignorePublicACLs', 'blockPublicPolicy', 'restrictPublicBuckets'] as const;

/** All four flags always sent: an omitted flag means false, as in S3. All false is "no block". */
export const publicAccessBlockField = documentField({
  path: 'spec.publicAccessBlock',
  config: 'publicAccessBlock',
  desired: (spec) => {
    const pab = section(spec, 'publicAccessBlock');
    return pab ? Object.fromEntries(PAB_KEYS.map((k) => [k, pab[k] === true])) : undefined;
  },
  // Stated all-false is written as all-false (no Delete needed, so no Delete risk).
  removes: () => false,
  canonical: (v) => PAB_KEYS.map((k) => v?.[k] === true),
  removal: { put: {} },
});

export const ownershipControlsField = documentField({
  path: 'spec.ownershipControls',
  config: 'ownershipControls',
  desired: (spec) => {
    const oc = section(spec, 'ownershipControls');
    return oc ? { rules: list(oc.rules).map((r) => ({ objectOwnership: text(r.objectOwnership) })) } : undefined;
  },
  removes: (d) => (d.rules ?? []).length === 0,
  canonical: (v) => clean((v?.rules ?? []).map((r) => r.objectOwnership)) ?? 'none',
  removal: { delete: true },
});

/** S3's default since 2023: SSE-S3 (AES256) without a bucket key. */
const DEFAULT_ENCRYPTION = [{ algorithm: 'AES256' }];

function encryptionRules(v: EncryptionConfig | undefined): unknown {
  const rules = (v?.rules ?? []).map((r) => {
    const byDefault = section(r, 'applyServerSideEncryptionByDefault') ?? {};
    return clean({ algorithm: text(byDefault.sseAlgorithm), key: text(byDefault.kmsMasterKeyID), bucketKey: r.bucketKeyEnabled === true ? true : undefined });
  });
  return rules.length > 0 ? rules : DEFAULT_ENCRYPTION;
}

export const encryptionField = documentField({
  path: 'spec.encryption',
  config: 'encryption',
  desired: (spec) => {
    const enc = section(spec, 'encryption');
    return enc ? { rules: list(enc.rules) } : undefined;
  },
  removes: (d) => (d.rules ?? []).length === 0,
  // Unset and the S3 default compare equal: no write loop over the default SSE-S3 (ACK #2870).
  canonical: encryptionRules,
  removal: { delete: true },
});
