// What `npm run replay` sends before a dry run, to learn whether the hook honours the dry-run marker
// without risking anything where it does not (its own module: replay.ts runs when imported).

/**
 * The dry-run probe: a Bucket whose spec.name S3 would refuse, so the hook answers InvalidSpec before
 * any S3 call whether or not it honours the marker. Honoured, the answer carries a plan (empty).
 */
export const PROBE_BODY = {
  controller: { apiVersion: 'metacontroller.k8s.io/v1alpha1', kind: 'CompositeController', metadata: { name: 'bucket-hook-replay-probe' } },
  parent: {
    apiVersion: 's3.services.k8s.aws/v1alpha1',
    kind: 'Bucket',
    metadata: { name: 'dry-run-probe', namespace: 'bucket-hook-replay', uid: '00000000-0000-4000-8000-000000000000', generation: 1 },
    spec: { name: 'Not_A_Bucket_Name--dry-run-probe' },
  },
  children: {},
  related: {},
  finalizing: false,
};
