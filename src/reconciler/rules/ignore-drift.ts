// ACK's services.k8s.aws/ignore-field-drift annotation: a comma-separated list of spec fields
// ("spec.tagging,spec.lifecycle"; the "spec." prefix may be left out). A listed field is written when the
// bucket is created; afterwards the hook neither reads nor compares it, so out-of-band changes stay and
// edits of it in the spec are not pushed (ACK: "ignoring drift is symmetric"). The resource stays Synced.
// As in ACK a field is ignored as a whole. Unlike ACK, a path that names no field is an InvalidSpec (ACK
// logs a typo and ignores nothing), so a misspelt "spec.tagz" cannot silently keep managing the tags.
// The tags are the exception to "not read": they say who owns the bucket, so they are always read, and an
// ignored spec.tagging leaves the user's tags alone exactly as an omitted one does (the ownership tags
// are still kept).
import { annotationPath, ANNOTATION } from './annotations.js';
import { listed, quoted } from '../outcome/echo.js';
import { FIELDS } from '../fields/index.js';
import { taggingField } from '../fields/tagging.js';
import { SpecError } from '../model/spec-error.js';
import type { DesiredBucket, ManagedField } from '../model/types.js';

/** Spec keys that belong to a field of another name (the ACL's header grants, the lock's create flag). */
const ALIASES: Record<string, string> = {
  grantFullControl: 'spec.acl',
  grantRead: 'spec.acl',
  grantReadACP: 'spec.acl',
  grantWrite: 'spec.acl',
  grantWriteACP: 'spec.acl',
  objectLockEnabledForBucket: 'spec.objectLockConfiguration',
};

/** Nested paths that are the whole content of their field, so ignoring them ignores the field (ACK users write spec.tagging.tagSet). */
const WHOLE_CONTENT: Record<string, string> = {
  'tagging.tagSet': 'spec.tagging',
  'cors.corsRules': 'spec.cors',
  'lifecycle.rules': 'spec.lifecycle',
  'encryption.rules': 'spec.encryption',
  'ownershipControls.rules': 'spec.ownershipControls',
  'versioning.status': 'spec.versioning',
  'accelerate.status': 'spec.accelerate',
  'abac.status': 'spec.abac',
  'requestPayment.payer': 'spec.requestPayment',
};

/** Sent at create only and never compared afterwards anyway: accepted, nothing more to ignore. */
const CREATE_ONLY = new Set(['createBucketConfiguration', 'objectOwnership', 'namespace']);

const FIELD_PATHS = new Set(FIELDS.map((f) => f.path));

/** The field an annotation entry names, '' for a create-only one, or why it names none. */
function fieldOf(entry: string): { path: string } | { problem: string } {
  const bare = entry.startsWith('spec.') ? entry.slice('spec.'.length) : entry;
  if (FIELD_PATHS.has(`spec.${bare}`)) return { path: `spec.${bare}` };
  const alias = ALIASES[bare] ?? WHOLE_CONTENT[bare];
  if (alias) return { path: alias };
  if (CREATE_ONLY.has(bare)) return { path: '' };
  if (bare === 'name') return { problem: `${quoted(entry)} (the bucket's name cannot be ignored)` };
  const top = bare.split('.')[0] ?? '';
  if (bare.includes('.') && (FIELD_PATHS.has(`spec.${top}`) || ALIASES[top]))
    return { problem: `${quoted(entry)} (fields are ignored whole: use spec.${top})` };
  return { problem: quoted(entry) };
}

/**
 * The fields the annotation names, as field paths (spec.tagging, ...), in annotation order without
 * repeats; [] when it is absent or blank. Throws SpecError naming every entry that is not a spec field.
 */
export function ignoredFields(annotations: Record<string, string>): string[] {
  const raw = annotations[ANNOTATION.ignoreFieldDrift];
  if (raw === undefined) return [];
  const entries = raw
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  const paths = new Set<string>();
  const problems: string[] = [];
  for (const entry of entries) {
    const found = fieldOf(entry);
    if ('problem' in found) problems.push(found.problem);
    else if (found.path !== '') paths.add(found.path);
  }
  if (problems.length > 0) {
    throw new SpecError(
      annotationPath(ANNOTATION.ignoreFieldDrift),
      `names ${listed(problems)}, which ${problems.length === 1 ? 'is' : 'are'} not a field this controller manages: list top-level spec fields, comma-separated, such as spec.tagging,spec.lifecycle`,
    );
  }
  return [...paths];
}

/**
 * What a drift check of an existing bucket reads, compares and writes: the managed fields without the
 * ignored ones. The tags stay (with the user's part left unmanaged when spec.tagging is ignored): they
 * carry ownership. Creating a bucket uses the full desired state, so ignored fields are written once.
 */
export function driftChecked(desired: DesiredBucket): DesiredBucket {
  const ignored = desired.ignoredFields ?? [];
  if (ignored.length === 0) return desired;
  const managed = desired.managed.flatMap((m): ManagedField[] => {
    if (!ignored.includes(m.field.path)) return [m];
    if (m.field !== taggingField) return [];
    const value = taggingField.desired({ ...desired, tags: undefined });
    return value === undefined ? [] : [{ field: m.field, value }];
  });
  return { ...desired, managed };
}
