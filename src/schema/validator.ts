// The ajv instance shared by the HTTP edge (Fastify's validator compiler) and the reconciler.
// Kubernetes schema extensions are declared as known keywords so ajv stays in strict mode.
import { Ajv } from 'ajv';

export function createAjv(): Ajv {
  return new Ajv({
    strict: true,
    allErrors: false,
    coerceTypes: false,
    useDefaults: false,
    removeAdditional: false,
    keywords: [
      'x-kubernetes-validations',
      'x-kubernetes-preserve-unknown-fields',
      'x-kubernetes-int-or-string',
      'x-kubernetes-list-type',
      'x-kubernetes-list-map-keys',
      'x-kubernetes-map-type',
    ],
    // Formats are documentation for kubectl; S3 itself checks the values. int64/int32 say "integer" already.
    formats: { 'date-time': true, int64: true, int32: true, byte: true },
  });
}
