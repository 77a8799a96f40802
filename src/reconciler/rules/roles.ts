// Which IAM role a Bucket is managed with: ACK's IAMRoleSelector (services.k8s.aws/v1alpha1, cluster-
// scoped), matched as ACK's runtime matches it (pkg/runtime/iamroleselector/matcher.go): every part a
// selector states must match (namespace names OR-ed, then the namespace's labels; the resource's labels;
// one of the resource types), a part it leaves empty matches everything. No selector matches: the hook's
// own identity, as without selectors. More than one: a terminal condition naming them, and no S3 call
// (ACK errors and requeues forever; appmod-blueprints #814 read one bucket 16,642 times that way).
// Unlike ACK, a selector without a namespaceSelector is refused by default: a Bucket's author chooses its
// labels, so a selector matched by labels (or by nothing) alone would give its role to any namespace
// whose Bucket carries them. The admin may restore ACK's behaviour (RoleSelectorRules.allowUnscoped,
// ALLOW_UNSCOPED_ROLE_SELECTORS).
// Pure: the selectors and the Bucket's Namespace come from the request's `related` (the customize hook,
// src/http/routes/customize.ts, names them), the choice goes into the deps of that one request.
import type { RoleSession, S3PortFactory, Tag } from '../../s3/port.js';
import type { ReconcilerDeps } from '../model/deps.js';
import { clipped, listed, quoted } from '../outcome/echo.js';
import { CONDITION, type BucketResource, type ObjectMap } from '../model/resource.js';
import { terminal, type ConditionContent, type Verdict } from '../outcome/verdict.js';
import { isRecord } from '../../schema/record.js';

/** The keys of `related` (Metacontroller: "<Kind>.<group>/<version>", the core group as "<Kind>.<version>"). */
export const ROLE_SELECTOR_GROUP = 'IAMRoleSelector.services.k8s.aws/v1alpha1';
export const NAMESPACE_GROUP = 'Namespace.v1';
/** What a resourceTypeSelector entry is compared with. */
export const BUCKET_TYPE = { group: 's3.services.k8s.aws', version: 'v1alpha1', kind: 'Bucket' } as const;
/** The session tag that carries the Bucket's namespace (for role policies keyed on aws:PrincipalTag). */
export const NAMESPACE_SESSION_TAG = 'kubernetes-namespace';
/** ACK's condition type; reason and message as ACK's runtime writes them (without the selector's resourceVersion). */
export const ROLE_CONDITION = CONDITION.roleSelected;

export interface RoleSelector {
  name: string;
  arn: string;
  namespaceNames: string[];
  namespaceLabels: Record<string, string>;
  resourceLabels: Record<string, string>;
  resourceTypes: Array<{ group: string; version: string; kind: string }>;
}

export type RoleChoice =
  /** No selector matches (or none exists): the hook's own identity (the SDK's default chain). */
  | { kind: 'default' }
  | { kind: 'role'; arn: string; selector: string; account: string | undefined }
  | { kind: 'ambiguous'; selectors: string[] }
  /** The one matching selector names no usable role ARN. */
  | { kind: 'invalid'; selector: string; arn: string }
  /** The one matching selector has no namespaceSelector, and the admin does not allow such selectors. */
  | { kind: 'unscoped'; selector: string };

/** What the admin allows of IAMRoleSelectors. */
export interface RoleSelectorRules {
  /** Selectors without a namespaceSelector (resource labels, or nothing, alone) are used as ACK uses them. */
  allowUnscoped: boolean;
}

export const DEFAULT_ROLE_SELECTOR_RULES: RoleSelectorRules = { allowUnscoped: false };

/** True when the selector says which namespaces it serves (by name or by the Namespace's labels). */
export function isScoped(selector: RoleSelector): boolean {
  return selector.namespaceNames.length > 0 || Object.keys(selector.namespaceLabels).length > 0;
}

export const DEFAULT_IDENTITY: RoleChoice = { kind: 'default' };

/** arn:PARTITION:iam::ACCOUNT:role/PATH/NAME. The account is empty on Ceph RGW's default tenant. */
const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}|[A-Za-z0-9_-]*):role\/[\w+=,.@/-]{1,512}$/;

const stringMap = (v: unknown): Record<string, string> =>
  isRecord(v) ? Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string')) : {};
const stringOf = (v: unknown): string => (typeof v === 'string' ? v : '');

/** One related IAMRoleSelector object as the CRD (ours or ACK's) admits it; anything else reads as empty parts. */
export function parseSelector(object: unknown): RoleSelector | undefined {
  if (!isRecord(object) || !isRecord(object.metadata)) return undefined;
  const name = stringOf(object.metadata.name);
  const spec = isRecord(object.spec) ? object.spec : {};
  const ns = isRecord(spec.namespaceSelector) ? spec.namespaceSelector : {};
  const nsLabels = isRecord(ns.labelSelector) ? ns.labelSelector.matchLabels : undefined;
  const resLabels = isRecord(spec.resourceLabelSelector) ? spec.resourceLabelSelector.matchLabels : undefined;
  const types = Array.isArray(spec.resourceTypeSelector) ? spec.resourceTypeSelector.filter(isRecord) : [];
  return {
    name,
    arn: stringOf(spec.arn),
    namespaceNames: Array.isArray(ns.names) ? ns.names.filter((n): n is string => typeof n === 'string') : [],
    namespaceLabels: stringMap(nsLabels),
    resourceLabels: stringMap(resLabels),
    resourceTypes: types.map((t) => ({ group: stringOf(t.group), version: stringOf(t.version), kind: stringOf(t.kind) })),
  };
}

const labelsMatch = (wanted: Record<string, string>, labels: Record<string, string>): boolean => Object.entries(wanted).every(([k, v]) => labels[k] === v);

export interface MatchContext {
  namespace: string;
  namespaceLabels: Record<string, string>;
  resourceLabels: Record<string, string>;
}

/** ACK's Matches: AND between the parts, OR within names and within resource types; empty parts match all. */
export function matches(selector: RoleSelector, ctx: MatchContext): boolean {
  if (selector.namespaceNames.length > 0 && !selector.namespaceNames.includes(ctx.namespace)) return false;
  if (!labelsMatch(selector.namespaceLabels, ctx.namespaceLabels)) return false;
  if (!labelsMatch(selector.resourceLabels, ctx.resourceLabels)) return false;
  if (selector.resourceTypes.length === 0) return true;
  return selector.resourceTypes.some(
    (t) =>
      (t.group === '' || t.group === BUCKET_TYPE.group) &&
      (t.version === '' || t.version === BUCKET_TYPE.version) &&
      (t.kind === '' || t.kind === BUCKET_TYPE.kind),
  );
}

/** The 12-digit account of a role ARN; undefined where it has none (Ceph RGW's default tenant). */
export function accountOf(arn: string): string | undefined {
  const account = arn.split(':')[4] ?? '';
  return /^\d{12}$/.test(account) ? account : undefined;
}

/** The role for this Bucket, from the selectors and its Namespace in the request's related objects. */
export function chooseRole(parent: BucketResource, related: ObjectMap | undefined, rules: RoleSelectorRules = DEFAULT_ROLE_SELECTOR_RULES): RoleChoice {
  const selectors = Object.values(related?.[ROLE_SELECTOR_GROUP] ?? {}).map(parseSelector);
  if (selectors.length === 0) return DEFAULT_IDENTITY;
  const namespace = parent.metadata.namespace ?? '';
  const ns = related?.[NAMESPACE_GROUP]?.[namespace] as { metadata?: { labels?: unknown } } | undefined;
  const ctx: MatchContext = { namespace, namespaceLabels: stringMap(ns?.metadata?.labels), resourceLabels: stringMap(parent.metadata.labels) };
  const matching = selectors.filter((s): s is RoleSelector => s !== undefined && matches(s, ctx));
  if (matching.length === 0) return DEFAULT_IDENTITY;
  if (matching.length > 1) return { kind: 'ambiguous', selectors: matching.map((s) => s.name).sort() };
  const [only] = matching as [RoleSelector];
  if (!ROLE_ARN.test(only.arn)) return { kind: 'invalid', selector: only.name, arn: only.arn };
  if (!rules.allowUnscoped && !isScoped(only)) return { kind: 'unscoped', selector: only.name };
  return { kind: 'role', arn: only.arn, selector: only.name, account: accountOf(only.arn) };
}

/** Why this Bucket cannot be reconciled with any identity (terminal, nothing sent to S3), or undefined. */
export function roleRefusal(choice: RoleChoice | undefined): Verdict | undefined {
  if (choice?.kind === 'ambiguous') {
    return terminal(
      'RoleSelectorConflict',
      `IAMRoleSelectors ${listed(choice.selectors.map((s) => clipped(s)))} all match this Bucket; exactly one may, so the hook does not know which IAM role to use and sent nothing to S3. Narrow their namespaceSelector, resourceLabelSelector or resourceTypeSelector (kubectl get iamroleselectors -o yaml); the Bucket is reconciled again as soon as one changes.`,
    );
  }
  if (choice?.kind === 'invalid') {
    return terminal(
      'InvalidRoleSelector',
      `IAMRoleSelector ${clipped(choice.selector)} matches this Bucket but its spec.arn ${quoted(choice.arn)} is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME); nothing was sent to S3. Fix the selector (spec.arn is immutable: delete and re-create it).`,
    );
  }
  if (choice?.kind === 'unscoped') {
    // The role is not named: the Bucket's author may be exactly who must not learn it.
    return terminal(
      'InvalidRoleSelector',
      `IAMRoleSelector ${clipped(choice.selector)} matches this Bucket by its labels alone: it has no spec.namespaceSelector, so any namespace could use its role by labelling a Bucket, and the hook refuses such selectors; nothing was sent to S3. The cluster admin adds spec.namespaceSelector (names, or a labelSelector on the Namespace) naming the namespaces whose Buckets may use that role (kubectl edit iamroleselector ${clipped(choice.selector)}), or, to match selectors as ACK does, sets ALLOW_UNSCOPED_ROLE_SELECTORS=true on the hook.`,
    );
  }
  return undefined;
}

/** IAM's RoleSessionName: 2 to 64 characters of [\w+=,.@-]. */
const SESSION_NAME_MAX = 64;

function shortHash(text: string): string {
  // FNV-1a, 32 bits: enough to tell two long namespaces with a common prefix apart.
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/**
 * The STS session for a role and a namespace: one per (role, namespace), shared by that namespace's
 * Buckets (the SDK signs per client, so a session per Bucket would mean a client per Bucket). Its name,
 * in CloudTrail's assumed-role ARN, names the namespace; the Bucket shows as the request's resource,
 * and its ownership tags name the Bucket resource.
 */
export function roleSession(arn: string, namespace: string): RoleSession {
  const safe = namespace.replace(/[^\w+=,.@-]/g, '-');
  let sessionName = `bucket-hook.${safe}`;
  if (sessionName.length > SESSION_NAME_MAX) sessionName = `${sessionName.slice(0, SESSION_NAME_MAX - 9)}.${shortHash(namespace)}`;
  const tags: Tag[] = namespace === '' ? [] : [{ key: NAMESPACE_SESSION_TAG, value: namespace }];
  return { roleArn: arn, sessionName, tags };
}

/** What the zero-cost path's input hash covers of the identity: nothing without a role (hashes stay as they were). */
export function identityKey(choice: RoleChoice | undefined): string | undefined {
  if (choice === undefined || choice.kind === 'default') return undefined;
  if (choice.kind === 'role') return `role:${choice.arn}`;
  if (choice.kind === 'ambiguous') return `ambiguous:${choice.selectors.join(',')}`;
  return `${choice.kind}:${choice.selector}`;
}

/**
 * One request's deps for its role: S3 ports made with the role's session, the role's account as
 * ownerAccountID (none when its ARN has none, not the hook's own AWS_ACCOUNT_ID). Unchanged without one.
 */
export function withRole<D extends Pick<ReconcilerDeps, 's3' | 'accountId'>>(deps: D, choice: RoleChoice, namespace: string): D & { role: RoleChoice } {
  if (choice.kind !== 'role') return { ...deps, role: choice };
  const session = roleSession(choice.arn, namespace);
  const base: S3PortFactory = deps.s3;
  const s3: S3PortFactory = (region) => base(region, session);
  return { ...deps, s3, accountId: choice.account, role: choice };
}

/** ACK's IAMRoleSelected condition when a role was chosen (status.ts places it); undefined otherwise. */
export function roleCondition(choice: RoleChoice | undefined): ConditionContent | undefined {
  if (choice?.kind !== 'role') return undefined;
  return { status: 'True', reason: 'Selected', message: `roleARN: ${choice.arn}, selectorName: ${choice.selector}` };
}

/** The customize hook's rules for role selection: the Bucket's Namespace (its labels) and every IAMRoleSelector. */
export function roleRelatedResources(resource: BucketResource): Array<{ apiVersion: string; resource: string; names?: string[] }> {
  const namespace = resource.metadata.namespace;
  return [
    // Cluster-scoped: no namespace in the rules. Names-only and select-all rules both work for a
    // namespaced parent with hook version v1 since Metacontroller 4.15 (v2 is what its docs name).
    ...(namespace ? [{ apiVersion: 'v1', resource: 'namespaces', names: [namespace] }] : []),
    { apiVersion: 'services.k8s.aws/v1alpha1', resource: 'iamroleselectors' },
  ];
}
