// Kubernetes names, checked wherever they enter: the request envelope (metadata.namespace and name) and
// the ownership tags read back from S3. A value that is not such a name is never an owner and is never
// echoed: a tag can hold any text (Ceph RGW keeps newlines), and the import CLI prints owners as YAML.

/** DNS-1123 label: a namespace. */
export const DNS1123_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
export const DNS1123_LABEL_MAX = 63;
/** DNS-1123 subdomain: most object names, a Bucket's among them. */
export const DNS1123_SUBDOMAIN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
export const DNS1123_SUBDOMAIN_MAX = 253;
/** metadata.uid: a UUID from the API server; letters, digits, '-', '.', '_' are accepted (tests, other tools). */
export const UID_PATTERN = '^[A-Za-z0-9]([-A-Za-z0-9._]*[A-Za-z0-9])?$';
export const UID_MAX = 128;

const label = new RegExp(DNS1123_LABEL);
const subdomain = new RegExp(DNS1123_SUBDOMAIN);
const uid = new RegExp(UID_PATTERN);

export function isNamespaceName(value: string): boolean {
  return value.length <= DNS1123_LABEL_MAX && label.test(value);
}

export function isObjectName(value: string): boolean {
  return value.length <= DNS1123_SUBDOMAIN_MAX && subdomain.test(value);
}

export function isUid(value: string): boolean {
  return value.length <= UID_MAX && uid.test(value);
}
