// The bucket's coordinates for apps, opt-in per Bucket (annotation s3.services.k8s.aws/coordinates-configmap:
// NAME): the answer then carries, as a Metacontroller child, a ConfigMap NAME in the Bucket's namespace
// whose keys a pod can take with envFrom. Metacontroller creates it with an ownerReference to the Bucket
// (so it goes with it) and deletes any owned child an answer leaves out, so every answer of an opted-in
// Bucket carries it: the zero-cost one, the deadline's, the finalize answers until finalized. Pure.
//
// Rules, in order:
// - written first only once the bucket is Ready; once written (Metacontroller reports it among the
//   request's children), kept while the status still reports the bucket (its ARN), so a passing failure
//   (Ready=False, Throttled) does not take it away from running pods;
// - a ConfigMap of that name that this Bucket does not own is never overwritten: it is not asked for,
//   and the ConfigMapReady condition says so. The hook sees it when the CompositeController has the
//   customize hook of manifests/overlays/configmaps (`customizeAnswer` below names it as a related
//   object); without it, Metacontroller's create of the child fails with AlreadyExists (which it leaves
//   alone) and the condition stays Unknown (Requested), naming that cause.
import { ANNOTATION } from './annotations.js';
import { quoted } from '../outcome/echo.js';
import type { BucketResource, ConfigMapChild, KubeObject, ObjectMap, Observed, ResourceMetadata } from '../model/resource.js';
import type { ConditionContent } from '../outcome/verdict.js';
import { bucketOfArn } from '../model/arn.js';

/** How apps reach S3: the hook's own settings (AWS_ENDPOINT_URL_S3, S3_FORCE_PATH_STYLE). */
export interface S3Addressing {
  /** A custom endpoint (S3-compatible store); undefined: AWS's regional endpoint. */
  endpoint: string | undefined;
  forcePathStyle: boolean;
}

export const CONFIGMAP_GROUP = 'ConfigMap.v1';
/** The keys of the ConfigMap, each an environment variable name. */
export const COORDINATE_KEYS = ['AWS_ENDPOINT_URL_S3', 'AWS_REGION', 'BUCKET_ARN', 'BUCKET_NAME', 'BUCKET_URL', 'S3_ADDRESSING_STYLE'] as const;
export type Coordinates = Record<(typeof COORDINATE_KEYS)[number], string>;

/** The reasons of the ConfigMapReady condition. */
export const CONFIGMAP_REASON = {
  published: 'Published',
  requested: 'Requested',
  waiting: 'WaitingForBucket',
  taken: 'ConfigMapNameTaken',
  invalid: 'InvalidConfigMapName',
} as const;

/** AWS's regional S3 endpoint (China's regions have their own domain). */
export function awsEndpoint(region: string): string {
  return `https://s3.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`;
}

/**
 * The coordinates of a bucket. Path-style URLs where the hook itself uses them (S3_FORCE_PATH_STYLE, for
 * RGW, MinIO...) and for names with dots (a virtual-hosted HTTPS name with dots fails the certificate
 * check); virtual-hosted otherwise, as AWS recommends.
 */
export function coordinatesOf(bucket: string, region: string, arn: string, addressing: S3Addressing): Coordinates {
  const endpoint = (addressing.endpoint ?? awsEndpoint(region)).replace(/\/+$/, '');
  const pathStyle = addressing.forcePathStyle || bucket.includes('.');
  let url = `${endpoint}/${bucket}`;
  if (!pathStyle) {
    const parsed = new URL(endpoint);
    parsed.hostname = `${bucket}.${parsed.hostname}`;
    url = parsed.href.replace(/\/$/, '');
  }
  return {
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_REGION: region,
    BUCKET_ARN: arn,
    BUCKET_NAME: bucket,
    BUCKET_URL: url,
    S3_ADDRESSING_STYLE: pathStyle ? 'path' : 'virtual',
  };
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why a ConfigMap name is not one Kubernetes accepts; undefined when it is. */
export function configMapNameProblem(name: string): string | undefined {
  if (name.length > 253) return 'is longer than 253 characters';
  if (!DNS_SUBDOMAIN.test(name)) return 'must be lowercase letters, digits, "-" and ".", starting and ending with a letter or digit';
  return undefined;
}

/** The ConfigMap name this Bucket asks for; undefined when it did not opt in. */
export function requestedConfigMap(resource: BucketResource): string | undefined {
  return resource.metadata.annotations?.[ANNOTATION.coordinatesConfigMap]?.trim();
}

/** The object of that name in the Bucket's namespace in a request's map (v1 keys: name; v2: namespace/name). */
function lookup(map: ObjectMap | undefined, namespace: string, name: string): KubeObject | undefined {
  const group = map?.[CONFIGMAP_GROUP];
  const found = group?.[name] ?? group?.[`${namespace}/${name}`];
  return found && (found.metadata?.namespace ?? namespace) === namespace ? found : undefined;
}

function ownedBy(object: KubeObject, uid: string): boolean {
  return object.metadata?.ownerReferences?.some((ref) => ref.uid === uid) ?? false;
}

/** Whether the answer reports the bucket (its ARN and region), and its name. */
function reported(metadata: ResourceMetadata | undefined): { bucket: string; region: string; arn: string } | undefined {
  const arn = metadata?.arn;
  const region = metadata?.region;
  const bucket = bucketOfArn(arn);
  return arn && region && bucket ? { bucket, region, arn } : undefined;
}

function child(resource: BucketResource, name: string, data: Record<string, string>): ConfigMapChild {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    // Metacontroller adds the ownerReference and its controller-uid label (generateSelector).
    metadata: { name, namespace: resource.metadata.namespace ?? '', labels: { 'app.kubernetes.io/managed-by': 'bucket-hook' } },
    data,
  };
}

interface Decision {
  condition: ConditionContent;
  child?: ConfigMapChild;
}

function decide(
  resource: BucketResource,
  metadata: ResourceMetadata | undefined,
  ready: boolean,
  observed: Observed,
  addressing: S3Addressing,
  name: string,
): Decision {
  const namespace = resource.metadata.namespace ?? '';
  const where = `ConfigMap "${name}" (namespace ${namespace})`;
  const problem = configMapNameProblem(name);
  if (problem) {
    return {
      condition: {
        status: 'False',
        reason: CONFIGMAP_REASON.invalid,
        message: `The annotation ${ANNOTATION.coordinatesConfigMap} names ${quoted(name)}, which ${problem}: no ConfigMap is written. Fix the annotation.`,
      },
    };
  }
  const owned = lookup(observed.children, namespace, name);
  const other = lookup(observed.related, namespace, name);
  if (!owned && other && !ownedBy(other, resource.metadata.uid)) {
    return {
      condition: {
        status: 'False',
        reason: CONFIGMAP_REASON.taken,
        message: `${where} exists and is not owned by this Bucket, so the hook left it as it is and wrote no coordinates. Name another ConfigMap in the annotation ${ANNOTATION.coordinatesConfigMap}, or delete that one.`,
      },
    };
  }
  const bucket = reported(metadata);
  if (!bucket || (!ready && !owned)) {
    return { condition: { status: 'False', reason: CONFIGMAP_REASON.waiting, message: `${where} is written once the bucket is Ready.` } };
  }
  const made = child(resource, name, coordinatesOf(bucket.bucket, bucket.region, bucket.arn, addressing));
  if (owned) {
    const keys = COORDINATE_KEYS.join(', ');
    return {
      child: made,
      condition: {
        status: 'True',
        reason: CONFIGMAP_REASON.published,
        message: `${where} holds the coordinates of bucket "${bucket.bucket}" (${keys}): mount it in a pod with envFrom.configMapRef.`,
      },
    };
  }
  return {
    child: made,
    condition: {
      status: 'Unknown',
      reason: CONFIGMAP_REASON.requested,
      message: `${where} was handed to Metacontroller to create and is not reported as this Bucket's yet. If this stays, a ConfigMap of that name that this Bucket does not own exists (Metacontroller leaves it as it is): name another one, or delete it.`,
    },
  };
}

/**
 * What the coordinates ConfigMap adds to an answer: the child to keep, and the ConfigMapReady condition
 * (`none`: the Bucket did not opt in, so no such condition; `unchanged`: finalize leaves the conditions
 * as they are). `reported` and `ready`: what the answer says of the bucket; `received`: the parent as sent.
 */
export interface CoordinatesPart {
  condition: ConditionContent | 'none' | 'unchanged';
  children: ConfigMapChild[];
}

export function coordinatesPart(
  received: BucketResource,
  reported: ResourceMetadata | undefined,
  ready: boolean,
  observed: Observed,
  addressing: S3Addressing,
  finalizing: boolean,
  finalized: boolean | undefined,
): CoordinatesPart {
  const name = requestedConfigMap(received);
  // Not opted in (any more): no condition of ours either (a zero-cost answer would carry the last one).
  if (name === undefined) return { condition: 'none', children: [] };
  if (finalizing) {
    // Metacontroller manages children during finalize too: keep the one written while the bucket still
    // exists (BucketNotEmpty waits); once finalized it goes (and the garbage collector would take it).
    const owned = lookup(observed.children, received.metadata.namespace ?? '', name);
    return { condition: 'unchanged', children: finalized || !owned?.data ? [] : [child(received, name, owned.data)] };
  }
  const decision = decide(received, reported, ready, observed, addressing, name);
  return { condition: decision.condition, children: decision.child ? [decision.child] : [] };
}

/**
 * The customize hook's answer: the ConfigMap a Bucket names, as a related object, so that the sync hook
 * sees one this Bucket does not own. Nothing for a Bucket that did not opt in (or names no valid name).
 */
export function customizeAnswer(resource: BucketResource): {
  relatedResources: Array<{ apiVersion: string; resource: string; namespace: string; names: string[] }>;
} {
  const name = requestedConfigMap(resource);
  if (name === undefined || configMapNameProblem(name)) return { relatedResources: [] };
  // The namespace too: Metacontroller lists a names-only rule across all namespaces.
  return { relatedResources: [{ apiVersion: 'v1', resource: 'configmaps', namespace: resource.metadata.namespace ?? '', names: [name] }] };
}
