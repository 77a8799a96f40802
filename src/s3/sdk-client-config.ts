// The S3 client's tuned configuration, in one place: the tuned sender (sdk-senders.ts) spreads
// tunedSettings() into `new S3Client({...})` and calls trimClientStack on each client. None of it changes
// which requests S3 sees or what they hold (test/unit/sdk-wire.test.ts compares them on the wire with a
// stock S3Client's); what each part saves is measured by `npm run bench` (docs/performance.md).
//
// Each trick below relies on something the SDK does not promise (a middleware's name, a config
// property, the execution context's layout), so each first checks that what it needs is there, and
// otherwise leaves the client as the SDK made it: an SDK upgrade that moves an internal loses the saving,
// not a request. S3_CLIENT_TUNING=off (config.ts) turns all of it off.
//
// `cacheMiddleware: true` is set by the client pool (sdk-client-pool.ts), which alone can use it safely:
// a cached handler shares one execution context among the calls of a command class, so each client of
// a pool serves one request at a time.
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';

/** The user agent's token that names the hook in S3's logs, tuned or not (sdk-senders.ts). */
export const USER_AGENT_TOKEN = 'bucket-hook';

/** The settings, without a request handler (the pool brings one shared by its clients). */
export function tunedSettings(): Pick<S3ClientConfig, 'requestChecksumCalculation' | 'responseChecksumValidation' | 'disableS3ExpressSessionAuth'> {
  return {
    // A checksum only where S3 requires one (PutBucketTagging, -Cors, -Lifecycle...: still sent); no
    // CRC32 of every other body, no validation of answers nobody asked a checksum for.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // Directory buckets are InvalidSpec: no S3 Express session lookups per request.
    disableS3ExpressSessionAuth: true,
  };
}

/**
 * Whether the client's stack holds a middleware of this name at a step of its own (as the SDK's identify()
 * lists it: `name - step`; one placed relative to a command's middleware is not listed before a send).
 */
export function hasMiddleware(client: S3Client, name: string): boolean {
  return client.middlewareStack.identify().some((entry) => entry.split(' ')[0] === name);
}

/**
 * Middleware that does nothing for the hook, removed from a client's stack (each one costs a closure,
 * a sort entry and an async step per request):
 * - the SDK's logger (no logger is configured) and recursion detection (adds a trace header only inside
 *   AWS Lambda);
 * - region redirects, both halves (they act only with followRegionRedirects, which the hook leaves off:
 *   HeadBucket's 301 is read by the adapter itself);
 * - the bucket-endpoint rewrite (acts only with `bucketEndpoint: true`, never set);
 * - S3 Express session signing (directory buckets are InvalidSpec, and their session auth is off);
 * - `Expect: 100-continue` (sent only for bodies of 2 MiB and more; the hook's largest, a DeleteObjects
 *   of 1,000 keys or a bucket policy, stay far below).
 */
export const UNUSED_MIDDLEWARE = [
  'loggerMiddleware',
  'recursionDetectionMiddleware',
  'regionRedirectMiddleware',
  'regionRedirectEndpointMiddleware',
  'bucketEndpointMiddleware',
  's3ExpressMiddleware',
  'addExpectContinueMiddleware',
] as const;

/** What the SDK's user-agent middleware reads of the client config (a subset of S3ClientResolvedConfig). */
interface UserAgentConfig {
  defaultUserAgentProvider: () => Promise<Array<[string, string?]>>;
  userAgentAppId: () => Promise<string | undefined>;
}

/**
 * A user-agent token as the SDK's middleware writes it: `name/version`, or `prefix/name#version` for a
 * name with a prefix (`os/linux#6.1`, `md/nodejs#20.20.2`, `api/s3#3.x`), characters outside RFC 9110's
 * tchar replaced by `-`.
 */
export function uaToken([name, version]: [string, string?]): string {
  const clean = name
    .split('/')
    .map((part) => part.replace(/[^!$%&'*+\-.^_`|~\w]/g, '-'))
    .join('/');
  const at = clean.indexOf('/');
  const prefix = at < 0 ? '' : clean.slice(0, at);
  const rest = at < 0 ? clean : clean.slice(at + 1);
  const parts = [prefix, prefix === 'api' ? rest.toLowerCase() : rest, version?.replace(/[^!$%&'*+\-.^_`|~\w#]/g, '-')].filter((p): p is string => !!p);
  return parts.map((p, i) => (i === 0 ? p : i === 1 ? `/${p}` : `#${p}`)).join('');
}

/**
 * The SDK's user-agent middleware rebuilds both headers for every request (escaping each token again
 * and encoding the request's feature flags); the hook's are the same for every request of a client:
 * the SDK's own tokens (aws-sdk-js, ua, os, lang, md/nodejs, api/S3), AWS_SDK_UA_APP_ID's `app/` token
 * when set, and `bucket-hook`, computed once per client.
 */
export function staticUserAgent(client: S3Client): boolean {
  const config: Partial<UserAgentConfig> = client.config;
  const { defaultUserAgentProvider, userAgentAppId } = config;
  if (typeof defaultUserAgentProvider !== 'function' || typeof userAgentAppId !== 'function') return false;
  if (!client.middlewareStack.remove('getUserAgentMiddleware')) return false;
  let headers: Promise<{ ua: string; amz: string }> | undefined;
  const compute = async (): Promise<{ ua: string; amz: string }> => {
    const tokens = (await defaultUserAgentProvider()).map(uaToken);
    const appId = await userAgentAppId();
    const all = [...tokens, ...(appId ? [uaToken(['app', appId])] : []), USER_AGENT_TOKEN];
    return { ua: all.join(' '), amz: [...tokens.filter((t) => t.startsWith('aws-sdk-')), USER_AGENT_TOKEN].join(' ') };
  };
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers?: Record<string, string> } | undefined;
      if (request?.headers) {
        // A failed lookup is tried again on the next request, not cached.
        const value = await (headers ??= compute().catch((err: unknown) => {
          headers = undefined;
          throw err;
        }));
        request.headers['user-agent'] = value.ua;
        request.headers['x-amz-user-agent'] = value.amz;
      }
      return next(args);
    },
    { step: 'build', priority: 'low', name: 'bucketHookUserAgent' },
  );
  return true;
}

/**
 * The SDK's default signer provider builds a new SignatureV4 for every request (spreading the whole client
 * config into its options), so the signing key it derives is never reused. The same signer serves every
 * request of one auth scheme (name, region, service): it reads the client's credentials provider at each
 * signature, so rotated credentials are picked up as before; one is made per scheme and kept.
 */
export function reuseSigners(client: S3Client): boolean {
  const config = client.config;
  const make = config.signer as typeof config.signer | undefined;
  if (typeof make !== 'function') return false;
  const signers = new Map<string, ReturnType<typeof make>>();
  config.signer = (authScheme) => {
    const key = `${authScheme?.name}|${authScheme?.signingRegion}|${authScheme?.signingName}`;
    let signer = signers.get(key);
    if (!signer) {
      signer = make(authScheme);
      // A failure (no region yet...) is not kept.
      signer.catch(() => signers.delete(key));
      signers.set(key, signer);
    }
    return signer;
  };
  return true;
}

/**
 * The part of the SDK's execution context the hook's middleware touches: the auth scheme chosen for the
 * signing middleware (directSigV4), the abort signal the retry middleware reads (sdk-client-pool.ts), the
 * command's operation schema and the resolved endpoint the serde middleware reads (leanSerde).
 */
export interface SmithyContext {
  __smithy_context?: { selectedHttpAuthScheme?: unknown; abortSignal?: AbortSignal; operationSchema?: unknown };
  endpointV2?: unknown;
}

const SIGV4 = 'aws.auth#sigv4';

/**
 * The SDK's auth-scheme middleware picks the signing scheme per request by resolving the endpoint rules a
 * first time (all of the endpoint parameters, awaited one by one) only to read the auth schemes they name;
 * the endpoint middleware right after resolves them again and writes the signing region and name into the
 * chosen option. For the hook's requests the rules name SigV4 alone: SigV4A appears only for multi-region
 * access point ARNs and S3 Express only for directory buckets, and the core refuses both as bucket names
 * (InvalidSpec), so the choice is made without the first resolution: SigV4, the client's credentials, and
 * the signing properties the endpoint middleware then completes, as it does for the SDK's own choice.
 * Left as it is when the SDK's SigV4 scheme, the client's region and credentials providers or its
 * auth-scheme middleware cannot be found.
 */
export function directSigV4(client: S3Client): boolean {
  const config = client.config;
  const scheme = (config.httpAuthSchemes as typeof config.httpAuthSchemes | undefined)?.find((s) => s.schemeId === SIGV4);
  if (!scheme?.signer || typeof config.region !== 'function' || typeof config.credentials !== 'function') return false;
  // Placed relative to the command's endpoint middleware: not listed by identify(), but removed by name.
  if (!client.middlewareStack.remove('httpAuthSchemeMiddleware')) return false;
  // Absolute with high priority in the serialize step: ahead of the endpoint middleware, which sits right
  // before the serializer (the SDK's own is placed relative to it, which `add` cannot express).
  client.middlewareStack.add(
    (next, context) => async (args) => {
      // Made when missing, as the SDK's own middleware does.
      const smithy = ((context as SmithyContext).__smithy_context ??= {});
      const region = await config.region();
      smithy.selectedHttpAuthScheme = {
        httpAuthOption: { schemeId: SIGV4, signingProperties: { name: 's3', region, config, context } },
        identity: await config.credentials({}),
        signer: scheme.signer,
      };
      return next(args);
    },
    { step: 'serialize', name: 'httpAuthSchemeMiddleware', override: true, priority: 'high' },
  );
  return true;
}

/** What the serde middleware calls of the SDK's protocol object (config.protocol), structurally. */
interface SerdeProtocol {
  serializeRequest(operation: OperationSchema, input: unknown, context: object): Promise<unknown>;
  deserializeResponse(operation: OperationSchema, context: object, response: unknown): Promise<object>;
}

/** The operation as the SDK's serde middleware hands it to the protocol. */
interface OperationSchema {
  name: unknown;
  namespace: unknown;
  traits: unknown;
  input: unknown;
  output: unknown;
}

function isSerdeProtocol(protocol: unknown): protocol is SerdeProtocol {
  const p = protocol as Partial<SerdeProtocol> | undefined;
  return typeof p?.serializeRequest === 'function' && typeof p.deserializeResponse === 'function';
}

/** The command's operation schema (`[kind, namespace, name, traits, input, output]`) as the protocol takes it. */
function operationOf(context: SmithyContext): OperationSchema {
  const schema = context.__smithy_context?.operationSchema;
  const parts: readonly unknown[] = Array.isArray(schema) ? (schema as unknown[]) : [];
  const [, namespace, name, traits, input, output] = parts;
  return { name, namespace, traits, input, output };
}

const DESERIALIZATION_HINT = 'Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object.';

const headerMatching = (pattern: RegExp, headers: Record<string, string>): string | undefined =>
  Object.entries(headers).find(([name]) => pattern.test(name))?.[1];

/**
 * The SDK's serializer and deserializer middleware hand the protocol `{...config, ...context}`: a copy of
 * the whole client config (67 properties) and of the execution context, made twice per request (with the
 * garbage it leaves, ~9% of the hook's CPU per drift check). The same view is an object whose own
 * properties are the context's and whose prototype is the config: every property the protocol reads
 * resolves to the same value, and only the context is copied. The protocol builds the request and reads
 * the answer as before; the endpoint is the one the endpoint middleware resolved, handed over as it is
 * (the protocol reads a resolved endpoint and the SDK's converted copy alike). A failed answer is
 * decorated as the SDK does: `$response`, and when the protocol set no `$metadata` (the answer could not be
 * read), the SDK's hint in the message and `$metadata` from the answer's status and headers.
 * Left as it is when the client's protocol is not the SDK's schema-based one, or its serde middleware is
 * not on the client's stack under the SDK's names.
 */
export function leanSerde(client: S3Client): boolean {
  const config: object = client.config;
  const protocol: unknown = client.config.protocol;
  if (!isSerdeProtocol(protocol) || !hasMiddleware(client, 'serializerMiddleware') || !hasMiddleware(client, 'deserializerMiddleware')) return false;
  const view = (context: object, extra?: object): object => Object.assign(Object.create(config) as object, context, extra);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const resolved = (context as SmithyContext).endpointV2;
      const request = await protocol.serializeRequest(
        operationOf(context as SmithyContext),
        args.input,
        view(context, resolved ? { endpoint: () => Promise.resolve(resolved) } : undefined),
      );
      return next({ ...args, request });
    },
    { step: 'serialize', name: 'serializerMiddleware', tags: ['SERIALIZER'], override: true },
  );
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const { response } = await next(args);
      try {
        const output = await protocol.deserializeResponse(operationOf(context as SmithyContext), view(context), response);
        return { response, output: output as never };
      } catch (error) {
        if (error && typeof error === 'object') {
          Object.defineProperty(error, '$response', { value: response, enumerable: false, writable: false, configurable: false });
          if (!('$metadata' in error)) {
            if (error instanceof Error) error.message += `\n  ${DESERIALIZATION_HINT}`;
            const { headers = {}, statusCode } = response as { headers?: Record<string, string>; statusCode?: number };
            Object.assign(error, {
              $metadata: {
                httpStatusCode: statusCode,
                requestId: headerMatching(/^x-[\w-]+-request-?id$/, headers),
                extendedRequestId: headerMatching(/^x-[\w-]+-id-2$/, headers),
                cfId: headerMatching(/^x-[\w-]+-cf-id$/, headers),
              },
            });
          }
        }
        throw error;
      }
    },
    { step: 'deserialize', name: 'deserializerMiddleware', tags: ['DESERIALIZER'], override: true },
  );
  return true;
}

/** The tricks trimClientStack applies, each of which may find what it needs missing and leave the client alone. */
export const STACK_TRICKS = { staticUserAgent, reuseSigners, directSigV4, leanSerde } as const;

/**
 * Removes the unused middleware (a name the SDK no longer has is simply not there to remove) and applies
 * each trick that finds what it needs; answers the names of those that did not (the client keeps the
 * SDK's own behaviour for them).
 */
export function trimClientStack(client: S3Client): string[] {
  if (client.config.followRegionRedirects) return Object.keys(STACK_TRICKS);
  for (const name of UNUSED_MIDDLEWARE) client.middlewareStack.remove(name);
  return Object.entries(STACK_TRICKS)
    .filter(([, trick]) => !trick(client))
    .map(([name]) => name);
}
