// Turns the Bucket resource (spec + ACK annotations + defaults) into a DesiredBucket, or says
// precisely which field is wrong. Pure: no S3, no clock.
import { annotationPath, ANNOTATION, booleanAnnotation, MAX_TAGS, OWNER_TAG_PREFIX } from './annotations.js';
import type { CreateExtras } from '../../s3/port.js';
import { specProblem } from '../../schema/validate.js';
import { bucketNameProblem } from './bucket-name.js';
import { quoted } from '../outcome/echo.js';
import { FIELDS } from '../fields/index.js';
import { driftChecked, ignoredFields } from './ignore-drift.js';
import { bucketRegion, regionProblem, type RegionRules } from './region.js';
import { SpecError } from '../model/spec-error.js';
import type { BucketResource } from '../model/resource.js';
import type { AdoptionPolicy, DeletionPolicy, DesiredBucket, DesiredSpec, ManagedField, Target } from '../model/types.js';
import { isRecord } from '../../schema/record.js';

export interface Defaults extends RegionRules {
  deletionPolicy: DeletionPolicy;
  /** FOREIGN_TAG_PREFIXES: tag key prefixes other tools own; unset: none besides aws:. */
  foreignTagPrefixes?: readonly string[] | undefined;
  /** CLUSTER_NAME: written in the ownership tags, and a bucket tagged for another cluster is never this one's. */
  clusterName?: string | undefined;
}

/** A field the user has to fix. */
export interface SpecProblem {
  path: string;
  message: string;
}

/** `checked`: what an existing bucket is checked against, the fields whose drift is ignored left out (ignore-drift.ts). */
export type DesiredResult = { ok: true; desired: DesiredBucket; checked: DesiredBucket } | { ok: false; problem: SpecProblem };

/** Tags the hook writes itself to mark ownership (namespace, name, uid, origin); their count is reserved out of S3's 50. */
export const RESERVED_TAG_COUNT = 4;

/** Kept as a local name: every check below throws the shared SpecError. */
const Invalid = SpecError;

function optionalObject(parent: Record<string, unknown>, key: string, path: string): Record<string, unknown> | undefined {
  const v = parent[key];
  if (v === undefined || v === null) return undefined;
  if (!isRecord(v)) throw new Invalid(path, 'must be an object');
  return v;
}

function optionalString(parent: Record<string, unknown>, key: string, path: string): string | undefined {
  const v = parent[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new Invalid(path, 'must be a string');
  return v;
}

function oneOf<T extends string>(value: string, allowed: readonly T[], path: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new Invalid(path, `must be one of ${allowed.map((a) => `"${a}"`).join(', ')} (got ${quoted(value)})`);
}

/** The read-only annotation, or the InvalidSpec its value makes. */
function readOnlyOf(annotations: Record<string, string>): boolean {
  const value = booleanAnnotation(annotations, ANNOTATION.readOnly);
  if (typeof value !== 'boolean') throw new Invalid(value.path, value.message);
  return value;
}

/** ACK's adoption-fields annotation: the bucket name it gives, nothing when absent or blank, or what is wrong with it. */
function adoptionFieldsName(annotations: Record<string, string>): { name?: string; problem?: string } {
  const fields = annotations[ANNOTATION.adoptionFields];
  if (fields === undefined || fields.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(fields);
  } catch {
    return { problem: 'must be JSON such as {"name": "my-bucket"}' };
  }
  if (!isRecord(parsed) || typeof parsed.name !== 'string') return { problem: 'must be JSON with a string "name", such as {"name": "my-bucket"}' };
  return { name: parsed.name };
}

/** The bucket name: spec.name, or ACK's adoption-fields annotation for spec-less adopted resources. */
function resolveBucketName(spec: Record<string, unknown>, annotations: Record<string, string>): string {
  let name = optionalString(spec, 'name', 'spec.name');
  if (name === undefined) {
    const adopted = adoptionFieldsName(annotations);
    if (adopted.problem) throw new Invalid(annotationPath(ANNOTATION.adoptionFields), adopted.problem);
    name = adopted.name;
  }
  if (name === undefined) throw new Invalid('spec.name', 'is required: the S3 bucket name');
  const problem = bucketNameProblem(name);
  if (problem) throw new Invalid('spec.name', `"${name}" is not a valid S3 bucket name: it ${problem}`);
  return name;
}

/** The bucket name as far as it can be told without validating anything (for log lines); undefined when there is none. */
export function bucketNameHint(resource: BucketResource): string | undefined {
  const name = resource.spec?.name;
  if (typeof name === 'string') return name;
  return adoptionFieldsName(resource.metadata.annotations ?? {}).name;
}

function resolveTags(spec: Record<string, unknown>, foreign: readonly string[] = [], reserved = RESERVED_TAG_COUNT): DesiredBucket['tags'] {
  const tagging = optionalObject(spec, 'tagging', 'spec.tagging');
  if (!tagging) return undefined;
  const set = tagging.tagSet ?? [];
  if (!Array.isArray(set)) throw new Invalid('spec.tagging.tagSet', 'must be a list of {key, value}');
  if (set.length > MAX_TAGS - reserved) {
    throw new Invalid('spec.tagging.tagSet', `has ${set.length} tags; S3 allows ${MAX_TAGS} and this controller reserves ${reserved} for ownership`);
  }
  const seen = new Set<string>();
  return set.map((tag: unknown, i) => {
    const path = `spec.tagging.tagSet[${i}]`;
    if (!isRecord(tag)) throw new Invalid(path, 'must be an object with key and value');
    const key = optionalString(tag, 'key', `${path}.key`);
    const value = optionalString(tag, 'value', `${path}.value`) ?? '';
    if (key === undefined || key === '') throw new Invalid(`${path}.key`, 'is required');
    if (key.length > 128) throw new Invalid(`${path}.key`, 'must be at most 128 characters');
    if (value.length > 256) throw new Invalid(`${path}.value`, 'must be at most 256 characters');
    if (key.startsWith('aws:')) throw new Invalid(`${path}.key`, `"${key}": the "aws:" prefix is reserved by AWS`);
    if (key.startsWith(OWNER_TAG_PREFIX))
      throw new Invalid(`${path}.key`, `"${key}": the "${OWNER_TAG_PREFIX}" prefix is reserved for this controller's ownership tags`);
    const owned = foreign.find((prefix) => key.startsWith(prefix));
    if (owned !== undefined)
      throw new Invalid(
        `${path}.key`,
        `"${key}": tags under "${owned}" belong to another tool (the hook's FOREIGN_TAG_PREFIXES), so this controller neither sets nor compares them: remove the tag from the spec`,
      );
    if (seen.has(key)) throw new Invalid(`${path}.key`, `"${key}" appears twice`);
    seen.add(key);
    return { key, value };
  });
}

/**
 * The region: ACK's region annotation, else the region this resource already reported (a bucket
 * never moves), else the location constraint the spec asks for, else the hook's default.
 */
function resolveRegion(resource: BucketResource, annotations: Record<string, string>, locationConstraint: string | undefined, defaults: Defaults): string {
  const annotated = annotations[ANNOTATION.region]?.trim();
  const reported = resource.status?.ackResourceMetadata?.region;
  if (annotated && reported && annotated !== reported) {
    throw new Invalid(
      annotationPath(ANNOTATION.region),
      `is "${annotated}" but the bucket was placed in "${reported}"; a bucket cannot move between regions: restore "${reported}", or create a new Bucket resource`,
    );
  }
  const { region, from } = bucketRegion({ reported, annotated, constraint: locationConstraint }, defaults.region);
  const problem = regionProblem(region, defaults);
  // The annotation is named where it agrees with the reported region: it is what the user wrote.
  if (problem) throw new Invalid(annotated ? annotationPath(ANNOTATION.region) : from, problem);
  if (locationConstraint && locationConstraint !== region) {
    throw new Invalid(
      'spec.createBucketConfiguration.locationConstraint',
      `is "${locationConstraint}" but the bucket's region is "${region}"; they must match (remove one, or make them equal)`,
    );
  }
  return region;
}

function resolvePolicies(annotations: Record<string, string>, defaults: Defaults): Pick<DesiredBucket, 'deletionPolicy' | 'adoptionPolicy' | 'readOnly'> {
  const deletion = annotations[ANNOTATION.deletionPolicy]?.trim().toLowerCase();
  const adoption = annotations[ANNOTATION.adoptionPolicy]?.trim().toLowerCase();
  return {
    deletionPolicy: deletion ? oneOf(deletion, ['delete', 'retain'] as const, annotationPath(ANNOTATION.deletionPolicy)) : defaults.deletionPolicy,
    adoptionPolicy: adoption ? oneOf<AdoptionPolicy>(adoption, ['adopt', 'adopt-or-create'] as const, annotationPath(ANNOTATION.adoptionPolicy)) : 'none',
    readOnly: readOnlyOf(annotations),
  };
}

/**
 * Settings S3 only takes at create time. Directory buckets (S3 Express One Zone) are refused with a
 * clear message: they need zonal endpoints and have no bucket tags, so ownership cannot be marked.
 */
function resolveCreateExtras(spec: Record<string, unknown>, create: Record<string, unknown> | undefined, bucketName: string): CreateExtras {
  const bucketInfo = create && isRecord(create.bucket) ? create.bucket : undefined;
  if (bucketName.endsWith('--x-s3') || bucketInfo?.type === 'Directory') {
    throw new Invalid(
      'spec.createBucketConfiguration.bucket',
      'asks for a directory bucket (S3 Express One Zone), which this controller does not manage yet: use a general purpose bucket name',
    );
  }
  // The ACL is not sent at create: its own field applies it after ownership controls (a canned ACL at
  // create can be refused under BucketOwnerEnforced, ACK #1021).
  const extras: CreateExtras = {};
  if (typeof spec.objectOwnership === 'string') extras.objectOwnership = spec.objectOwnership;
  if (spec.objectLockEnabledForBucket === true) extras.objectLockEnabledForBucket = true;
  if (create && isRecord(create.location)) extras.location = create.location;
  if (bucketInfo) extras.bucketInfo = bucketInfo;
  if (typeof spec.namespace === 'string' && spec.namespace !== '') extras.namespace = spec.namespace;
  return extras;
}

function resolveRef(resource: BucketResource, defaults: Defaults): DesiredBucket['ref'] {
  return {
    namespace: resource.metadata.namespace ?? '',
    name: resource.metadata.name,
    uid: resource.metadata.uid,
    generation: resource.metadata.generation ?? 0,
    ...(defaults.clusterName ? { cluster: defaults.clusterName } : {}),
  };
}

function capture<T>(run: () => T): { ok: true; value: T } | { ok: false; problem: SpecProblem } {
  try {
    return { ok: true, value: run() };
  } catch (err) {
    if (err instanceof SpecError) return { ok: false, problem: { path: err.path, message: err.message } };
    throw err;
  }
}

/**
 * What finalize needs: which bucket, where, and what to do with it. It ignores the rest of the spec so
 * that a bad tag never blocks a deletion, and it prefers the region the bucket was reported in.
 */
export function resolveTarget(resource: BucketResource, defaults: Defaults): { ok: true; target: Target } | { ok: false; problem: SpecProblem } {
  const result = capture((): Target => {
    const annotations = resource.metadata.annotations ?? {};
    const spec = isRecord(resource.spec) ? resource.spec : {};
    const { region } = bucketRegion(
      { reported: resource.status?.ackResourceMetadata?.region, annotated: annotations[ANNOTATION.region]?.trim() },
      defaults.region,
    );
    // A region the hook does not serve never had a bucket made by it: nothing to delete there.
    const problem = regionProblem(region, defaults);
    if (problem) throw new Invalid(annotationPath(ANNOTATION.region), problem);
    return { ref: resolveRef(resource, defaults), bucketName: resolveBucketName(spec, annotations), region, ...resolvePolicies(annotations, defaults) };
  });
  return result.ok ? { ok: true, target: result.value } : result;
}

export function resolveDesired(resource: BucketResource, defaults: Defaults): DesiredResult {
  const shape = specProblem(resource.spec);
  if (shape) return { ok: false, problem: shape };
  const result = capture((): DesiredBucket => {
    const annotations = resource.metadata.annotations ?? {};
    const spec = isRecord(resource.spec) ? resource.spec : {};
    const bucketName = resolveBucketName(spec, annotations);
    const create = optionalObject(spec, 'createBucketConfiguration', 'spec.createBucketConfiguration');
    const constraint = create ? optionalString(create, 'locationConstraint', 'spec.createBucketConfiguration.locationConstraint') || undefined : undefined;
    const region = resolveRegion(resource, annotations, constraint, defaults);
    const desired: DesiredSpec = {
      ref: resolveRef(resource, defaults),
      bucketName,
      region,
      // us-east-1 is S3's default location and must not be named in CreateBucket.
      locationConstraint: region === 'us-east-1' ? undefined : region,
      // CLUSTER_NAME adds one ownership tag (services.k8s.aws/cluster).
      tags: resolveTags(spec, defaults.foreignTagPrefixes, RESERVED_TAG_COUNT + (defaults.clusterName ? 1 : 0)),
      create: resolveCreateExtras(spec, create, bucketName),
      spec,
      ...resolvePolicies(annotations, defaults),
    };
    if (defaults.foreignTagPrefixes?.length) desired.foreignTagPrefixes = defaults.foreignTagPrefixes;
    const ignored = ignoredFields(annotations);
    // Each field's desired value, computed once for the whole sync (observe, diff and apply use these);
    // each field checks the rules the schema cannot express (policy JSON, ACL vs grants, ids...).
    const managed: ManagedField[] = [];
    for (const field of FIELDS) {
      const value: unknown = field.desired(desired);
      if (value !== undefined) managed.push({ field, value });
    }
    return ignored.length > 0 ? { ...desired, managed, ignoredFields: ignored } : { ...desired, managed };
  });
  return result.ok ? { ok: true, desired: result.value, checked: driftChecked(result.value) } : result;
}
