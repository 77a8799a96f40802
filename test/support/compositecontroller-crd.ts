// The CompositeController CRD (metacontroller.k8s.io/v1alpha1), written by this project from Metacontroller's
// API types (pkg/apis/metacontroller/v1alpha1/types.go at v4.17.2: field names, required fields, enums and
// defaults are facts of that API). Metacontroller's own CRD file cannot be read from the Go module cache here
// because the module proxy refuses github.com/metacontroller/metacontroller, and it is not copied into this
// repository. Used by the manifests tests (every rendered CompositeController validates against it) and
// installed into the test control plane so that `kubectl apply -k manifests/` is checked by a real API server.
import { stringify } from 'yaml';

type Schema = Record<string, unknown>;

const str: Schema = { type: 'string' };
const int32: Schema = { type: 'integer', format: 'int32' };
const obj = (properties: Record<string, Schema>, required?: string[]): Schema => ({ type: 'object', properties, ...(required ? { required } : {}) });
const withDefault = (schema: Schema, value: unknown): Schema => ({ ...schema, default: value });

const secretRef = (required: string[], extra: Record<string, Schema> = {}): Schema => obj({ name: str, namespace: str, ...extra }, required);
const labelSelector: Schema = obj({
  matchLabels: { type: 'object', additionalProperties: str },
  matchExpressions: { type: 'array', items: obj({ key: str, operator: str, values: { type: 'array', items: str } }, ['key', 'operator']) },
});

/** TLS and authentication of a webhook or an endpointConfigs entry (new in v4.16.0). */
const endpointSecurity: Record<string, Schema> = {
  caBundle: obj({
    inline: str,
    secretRef: secretRef(['name', 'namespace'], { key: withDefault(str, 'ca.crt') }),
    configMapRef: secretRef(['name', 'namespace'], { key: withDefault(str, 'ca.crt') }),
  }),
  clientTLS: obj({ secretRef: secretRef(['name', 'namespace']), certKey: withDefault(str, 'tls.crt'), privateKeyKey: withDefault(str, 'tls.key') }, [
    'secretRef',
  ]),
  authorization: obj({ type: withDefault(str, 'Bearer'), secretRef: secretRef(['key', 'name', 'namespace'], { key: str }) }, ['secretRef']),
  basicAuth: obj({ secretRef: secretRef(['name', 'namespace']), usernameKey: withDefault(str, 'username'), passwordKey: withDefault(str, 'password') }, [
    'secretRef',
  ]),
};

const hook: Schema = obj({
  version: { ...withDefault(str, 'v1'), enum: ['v1', 'v2'] },
  webhook: obj({
    url: str,
    path: str,
    timeout: { type: 'string', format: 'duration' },
    service: obj({ name: str, namespace: str, port: int32, protocol: str }, ['name', 'namespace']),
    etag: obj({ enabled: { type: 'boolean' }, cacheTimeoutSeconds: int32, cacheCleanupSeconds: int32 }),
    responseUnMarshallMode: { type: 'string', enum: ['loose', 'strict'] },
    ...endpointSecurity,
  }),
});

export const compositeControllerCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  // A *.k8s.io group is protected: the API server wants this annotation (Metacontroller's own CRD carries the same value).
  metadata: { name: 'compositecontrollers.metacontroller.k8s.io', annotations: { 'api-approved.kubernetes.io': 'unapproved, request not yet submitted' } },
  spec: {
    group: 'metacontroller.k8s.io',
    scope: 'Cluster',
    names: {
      kind: 'CompositeController',
      listKind: 'CompositeControllerList',
      plural: 'compositecontrollers',
      singular: 'compositecontroller',
      shortNames: ['cc', 'cctl'],
    },
    versions: [
      {
        name: 'v1alpha1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: obj(
            {
              apiVersion: str,
              kind: str,
              metadata: { type: 'object' },
              spec: obj(
                {
                  parentResource: obj(
                    {
                      apiVersion: str,
                      resource: str,
                      labelSelector,
                      ignoreStatusChanges: { type: 'boolean' },
                      revisionHistory: obj({ fieldPaths: { type: 'array', items: str } }),
                    },
                    ['apiVersion', 'resource'],
                  ),
                  childResources: {
                    type: 'array',
                    items: obj(
                      {
                        apiVersion: str,
                        resource: str,
                        updateStrategy: obj({
                          method: { type: 'string', enum: ['OnDelete', 'Recreate', 'InPlace', 'RollingRecreate', 'RollingInPlace'] },
                          statusChecks: obj({ conditions: { type: 'array', items: obj({ type: str, status: str, reason: str }, ['type']) } }),
                        }),
                      },
                      ['apiVersion', 'resource'],
                    ),
                  },
                  hooks: obj({ sync: hook, finalize: hook, customize: hook, preUpdateChild: hook, postUpdateChild: hook }),
                  resyncPeriodSeconds: int32,
                  generateSelector: { type: 'boolean' },
                  endpointConfigs: { type: 'array', items: obj({ host: str, ...endpointSecurity }, ['host']) },
                },
                ['parentResource'],
              ),
              status: { type: 'object' },
            },
            ['metadata', 'spec'],
          ),
        },
      },
    ],
  },
};

export function compositeControllerCrdYaml(): string {
  return stringify(compositeControllerCrd);
}
