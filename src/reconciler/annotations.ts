// The ACK annotations this hook honours, with ACK's names so existing manifests keep their meaning.
export const ANNOTATION = {
  region: 'services.k8s.aws/region',
  deletionPolicy: 'services.k8s.aws/deletion-policy',
  adoptionPolicy: 'services.k8s.aws/adoption-policy',
  adoptionFields: 'services.k8s.aws/adoption-fields',
  readOnly: 'services.k8s.aws/read-only',
} as const;

/** Prefix of the tags that mark a bucket as created (or adopted) by a Bucket resource. */
export const OWNER_TAG_PREFIX = 'services.k8s.aws/';
export const OWNER_TAG = {
  namespace: `${OWNER_TAG_PREFIX}namespace`,
  name: `${OWNER_TAG_PREFIX}name`,
  uid: `${OWNER_TAG_PREFIX}uid`,
} as const;
