// What the reconciler needs from the outside world, injected so tests can replace every part.
import type { S3PortFactory } from '../../s3/port.js';
import type { ClaimKey } from '../rules/claim-proof.js';
import type { S3Addressing } from '../rules/coordinates.js';
import type { Defaults } from '../rules/desired.js';
import type { RoleChoice, RoleSelectorRules } from '../rules/roles.js';
import type { ResyncSettings } from '../steps/conditions.js';
import type { TenancyRules } from '../rules/tenancy.js';
import type { DriftLoopSettings } from '../rules/drift-loop.js';

/** The subset of pino's logger the core uses. */
export interface Log {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface ReconcilerDeps {
  s3: S3PortFactory;
  now: () => Date;
  defaults: Defaults;
  resync: ResyncSettings;
  /** The AWS account id, when the operator configured it; reported as ackResourceMetadata.ownerAccountID. */
  accountId?: string | undefined;
  /** What the admin allows each namespace (adoption, bucket-name prefix); open by default, as ACK. */
  tenancy?: TenancyRules | undefined;
  /** How long one finalize call may spend emptying a bucket (empty-on-delete) before it answers its progress; default 10 s (emptying.ts). */
  emptyBudgetMs?: number | undefined;
  /** Signs and verifies the claims statuses hold (CLAIM_KEY_FILE); unset: a random key of this process (claim-proof.ts). */
  claimKey?: ClaimKey | undefined;
  /** What the admin allows of IAMRoleSelectors (ALLOW_UNSCOPED_ROLE_SELECTORS); undefined: selectors need a namespaceSelector. */
  roleSelectors?: RoleSelectorRules | undefined;
  /** The identity of this request's S3 calls, chosen by the IAMRoleSelectors (roles.ts); undefined: the hook's own. */
  role?: RoleChoice | undefined;
  /** How apps reach S3, for the coordinates ConfigMap; default AWS, virtual-hosted. */
  addressing?: S3Addressing | undefined;
  /** When a field corrected again and again stops being written (DRIFT_LOOP_*); default DEFAULT_DRIFT_LOOP (drift-loop.ts). */
  driftLoop?: DriftLoopSettings | undefined;
  /** APPROVAL_NAMESPACES: namespaces whose Buckets write only approved plans (plan.ts); default none. */
  approvalNamespaces?: 'all' | readonly string[] | undefined;
  log: Log;
}
