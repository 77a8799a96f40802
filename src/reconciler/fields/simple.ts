// Settings that are a single value with an S3 default: versioning, accelerate, request payment, ABAC,
// public access block, ownership controls, default encryption.
import { clean } from '../canonical.js';
import { documentField } from './document.js';
import { list, section, text } from './spec-access.js';

type Status = { status?: string };

/** A `{status}` setting: unmanaged without a status; S3's "never configured" equals `fallback`. */
function statusField(path: string, key: string, config: 'versioning' | 'accelerate' | 'abac', fallback: string) {
  return documentField<Status>({
    path,
    config,
    desired: (spec) => {
      const status = text(section(spec, key)?.status);
      return status ? { status } : undefined;
    },
    removes: () => false,
    // A bucket that never had versioning reports no status: the same as Suspended for the user.
    canonical: (v) => v?.status ?? fallback,
    removal: { put: { status: fallback } },
  });
}

export const versioningField = statusField('spec.versioning', 'versioning', 'versioning', 'Suspended');
export const accelerateField = statusField('spec.accelerate', 'accelerate', 'accelerate', 'Suspended');
export const abacField = statusField('spec.abac', 'abac', 'abac', 'Disabled');

export const requestPaymentField = documentField<{ payer?: string }>({
  path: 'spec.requestPayment',
  config: 'requestPayment',
  desired: (spec) => {
    const payer = text(section(spec, 'requestPayment')?.payer);
    return payer ? { payer } : undefined;
  },
  removes: () => false,
  canonical: (v) => v?.payer ?? 'BucketOwner',
  removal: { put: { payer: 'BucketOwner' } },
});

const PAB_KEYS = ['blockPublicACLs', 'ignorePublicACLs', 'blockPublicPolicy', 'restrictPublicBuckets'] as const;
type PublicAccessBlock = Partial<Record<(typeof PAB_KEYS)[number], boolean>>;

/** All four flags always sent: an omitted flag means false, as in S3. All false is "no block". */
export const publicAccessBlockField = documentField<PublicAccessBlock>({
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

type OwnershipControls = { rules?: Array<{ objectOwnership?: string }> };

export const ownershipControlsField = documentField<OwnershipControls>({
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

type Encryption = { rules?: Array<Record<string, unknown>> };

/** S3's default since 2023: SSE-S3 (AES256) without a bucket key. */
const DEFAULT_ENCRYPTION = [{ algorithm: 'AES256' }];

function encryptionRules(v: Encryption | undefined): unknown {
  const rules = (v?.rules ?? []).map((r) => {
    const byDefault = section(r, 'applyServerSideEncryptionByDefault') ?? {};
    return clean({ algorithm: text(byDefault.sseAlgorithm), key: text(byDefault.kmsMasterKeyID), bucketKey: r.bucketKeyEnabled === true ? true : undefined });
  });
  return rules.length > 0 ? rules : DEFAULT_ENCRYPTION;
}

export const encryptionField = documentField<Encryption>({
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
