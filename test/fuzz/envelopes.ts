// Property-based fuzzing of the HTTP edge with fast-check: envelopes and specs of every shape go
// through app.inject over the fake S3. The properties:
//  - never a 5xx, never a crash, never a polluted Object.prototype;
//  - a malformed envelope is a 4xx with a JSON {code, message};
//  - an invalid spec is a 200 whose terminal InvalidSpec condition names the field (a `spec.` path);
//  - a valid spec is a 200 with a full status (Ready and Synced True over the fake S3).
// Used by test/reliability (3,000 cases) and test/long (30,000). FUZZ_SEED replays a run.
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/http/app.js';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../../src/http/json-body.js';
import { ANNOTATION } from '../../src/reconciler/rules/annotations.js';
import type { Condition, HookResponse } from '../../src/reconciler/model/resource.js';
import { specSchema } from '../../src/schema/bucket-schema.js';
import { testDeps } from '../support/deps.js';
import { bucketResource, envelope } from '../support/envelope.js';
import { FakeS3 } from '../support/fake-s3.js';

/** Keys that have broken JavaScript code before: prototype pollution and shadowed builtins. */
const NASTY_KEYS = ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'valueOf', 'then', '$ref', ''];
const SPEC_FIELDS = Object.keys(specSchema.properties as Record<string, unknown>);
const BODY_LIMIT = 1024 * 1024;

// ---- values --------------------------------------------------------------------------------------

const key = fc.oneof({ weight: 5, arbitrary: fc.string({ maxLength: 12 }) }, { weight: 1, arbitrary: fc.constantFrom(...NASTY_KEYS) });
const weirdString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('\ud800', '\udfff\ud800', '\u0000', '\u202e', 'ß', '🪣', 'a\nb', '"', '\\', '${x}', '%s', '<x/>', 'NaN', '1e400', 'true', 'null'),
);
/** 1 kB to about 300 kB: large, but inside the 1 MiB body limit (the limit itself is tested apart). */
const hugeString = fc.tuple(fc.constantFrom('a', 'é', '🪣', '\\', '"', 'x-'), fc.integer({ min: 1_000, max: 150_000 })).map(([unit, n]) => unit.repeat(n));
const weirdNumber = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, -0, -1, 1e300, 2 ** 53 + 1, 0.1, -1e-300));
/** Arrays or objects nested up to 99 levels: just inside the parser's depth limit once embedded, or just over. */
const deep = fc.tuple(fc.integer({ min: 10, max: 120 }), fc.boolean()).map(([n, arrays]) => {
  let v: unknown = 'bottom';
  for (let i = 0; i < n; i++) v = arrays ? [v] : { d: v };
  return v;
});

const leaf = fc.oneof(
  { weight: 4, arbitrary: weirdString },
  { weight: 3, arbitrary: weirdNumber },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
);
const { any } = fc.letrec((tie) => ({
  any: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 6, arbitrary: leaf },
    { weight: 2, arbitrary: fc.array(tie('any'), { maxLength: 4 }) },
    { weight: 2, arbitrary: fc.dictionary(key, tie('any'), { maxKeys: 4 }) },
  ),
}));
/** Anything that can stand where a spec field, a status or an envelope part goes. */
export const anyValue: fc.Arbitrary<unknown> = fc.oneof({ weight: 12, arbitrary: any }, { weight: 1, arbitrary: hugeString }, { weight: 1, arbitrary: deep });

// ---- valid specs ---------------------------------------------------------------------------------

const tagText = (max: number) => fc.string({ unit: fc.constantFrom(...'abcXYZ019 _.:/=+-@'.split(''), 'é', 'ü', '日'), maxLength: max });
const validTags = fc.uniqueArray(fc.record({ key: tagText(40).filter((k) => k !== '' && !k.startsWith('aws:')), value: tagText(80) }), {
  selector: (t) => t.key,
  maxLength: 10,
});
const validSpecParts = fc.record(
  {
    versioning: fc.record({ status: fc.constantFrom('Enabled', 'Suspended') }),
    tagging: fc.record({ tagSet: validTags }),
    accelerate: fc.record({ status: fc.constantFrom('Enabled', 'Suspended') }),
    requestPayment: fc.record({ payer: fc.constantFrom('BucketOwner', 'Requester') }),
    cors: fc.record({
      corsRules: fc.array(
        fc.record({
          allowedMethods: fc.subarray(['GET', 'PUT', 'POST', 'DELETE', 'HEAD'], { minLength: 1 }),
          allowedOrigins: fc.constant(['https://example.com']),
        }),
        { maxLength: 3 },
      ),
    }),
  },
  { requiredKeys: [] },
);
const nameSuffix = fc.stringMatching(/^[a-z0-9]{0,20}$/);

// ---- cases ---------------------------------------------------------------------------------------

export type Expect = 'malformed' | 'maybe-malformed' | 'invalid-spec' | 'must-be-invalid' | 'valid' | 'any-200' | 'too-deep';

export interface FuzzCase {
  kind: string;
  expect: Expect;
  url: '/sync' | '/finalize';
  /** Builds the body text; `n` makes bucket names unique per run. */
  body: (n: number) => string;
  /** For invalid-spec: the spec field that was replaced. */
  field?: string;
  /** What was generated, shortened: shown in a counterexample. */
  detail?: string;
}

const short = (value: unknown) => String(JSON.stringify(value)).slice(0, 200);

const url = fc.constantFrom<'/sync' | '/finalize'>('/sync', '/finalize');
const asText = (value: unknown) => JSON.stringify(value);
const uid = fc.uuid();

/** A valid envelope whose spec is `spec` (a function of the run counter, for unique names). */
function validEnvelope(spec: (n: number) => Record<string, unknown>, id: string, finalizing = false) {
  return (n: number) => envelope(bucketResource({ uid: id, spec: spec(n), ...(finalizing ? { deletionTimestamp: '2026-11-24T10:00:00Z' } : {}) }), finalizing);
}

const uniqueName = (n: number, suffix: string) => `fz-${n}-${suffix}`.slice(0, 63).replace(/-+$/, '') || `fz-${n}`;

const validCase: fc.Arbitrary<FuzzCase> = fc.record({ parts: validSpecParts, suffix: nameSuffix, id: uid }).map(({ parts, suffix, id }) => ({
  kind: 'valid spec',
  expect: 'valid',
  url: '/sync',
  body: (n) => asText(validEnvelope((m) => ({ name: uniqueName(m, suffix), ...parts }), id)(n)),
}));

/** One spec field (or the whole spec) replaced by anything: a 200 that names that field if it is invalid. */
const invalidFieldCase: fc.Arbitrary<FuzzCase> = fc
  .record({ field: fc.constantFrom(...SPEC_FIELDS, '(spec)'), value: anyValue, id: uid, finalizing: fc.boolean() })
  .map(({ field, value, id, finalizing }) => ({
    kind: 'spec field replaced',
    expect: finalizing ? 'any-200' : 'invalid-spec',
    url: finalizing ? '/finalize' : '/sync',
    field,
    detail: short(value),
    body: (n: number) => {
      const env = validEnvelope((m) => ({ name: `fz-${m}-field`, versioning: { status: 'Enabled' } }), id, finalizing)(n);
      const parent = env.parent as Record<string, unknown>;
      if (field === '(spec)') parent.spec = value;
      else (parent.spec as Record<string, unknown>)[field] = value;
      return asText(env);
    },
  }));

/** A value of a JSON type the field's schema does not allow: always InvalidSpec, naming that field. */
const SPEC_TYPES = specSchema.properties as Record<string, { type?: string }>;
const ofType: Record<string, fc.Arbitrary<unknown>> = {
  object: fc.dictionary(key, leaf, { maxKeys: 3 }).filter((o) => !('__proto__' in o) && !Object.keys(o).includes('constructor')),
  array: fc.array(leaf, { maxLength: 3 }),
  string: weirdString,
  number: weirdNumber,
  boolean: fc.boolean(),
};
const wrongTypeCase: fc.Arbitrary<FuzzCase> = fc
  .constantFrom(...SPEC_FIELDS.filter((f) => SPEC_TYPES[f]?.type !== undefined))
  .chain((field) => {
    const want = SPEC_TYPES[field]!.type!;
    const wrong = Object.entries(ofType).filter(([type]) => type !== want && !(want === 'integer' && type === 'number'));
    return fc.record({ field: fc.constant(field), value: fc.oneof(...wrong.map(([, arb]) => arb)), id: uid });
  })
  .map(({ field, value, id }) => ({
    kind: 'spec field of the wrong type',
    expect: 'must-be-invalid',
    url: '/sync',
    field,
    detail: short(value),
    body: (n: number) => {
      const env = validEnvelope((m) => ({ name: `fz-${m}-type` }), id)(n);
      ((env.parent as Record<string, unknown>).spec as Record<string, unknown>)[field] = value;
      return asText(env);
    },
  }));

const ANNOTATION_NAMES = Object.values(ANNOTATION);
/** Our annotations with any string: a 200 (an invalid one is InvalidSpec naming the annotation). */
const annotationCase: fc.Arbitrary<FuzzCase> = fc
  .record({
    name: fc.constantFrom(...ANNOTATION_NAMES),
    value: fc.oneof(weirdString, fc.constantFrom('adopt', 'retain', 'true', '{"name":"x"}', 'us-east-1', '10m')),
    id: uid,
    finalizing: fc.boolean(),
  })
  .map(({ name, value, id, finalizing }) => ({
    kind: 'annotation',
    expect: 'any-200',
    url: finalizing ? '/finalize' : '/sync',
    detail: `${name}=${short(value)}`,
    body: (n: number) => {
      const env = validEnvelope((m) => ({ name: `fz-${m}-ann` }), id, finalizing)(n);
      const meta = (env.parent as { metadata: { annotations: Record<string, string> } }).metadata;
      meta.annotations[name] = value;
      return asText(env);
    },
  }));

/** Where a malformed envelope can go wrong: a part replaced by anything, or a required part removed. */
const ENVELOPE_PATHS = [
  [],
  ['parent'],
  ['parent', 'apiVersion'],
  ['parent', 'kind'],
  ['parent', 'metadata'],
  ['parent', 'metadata', 'name'],
  ['parent', 'metadata', 'namespace'],
  ['parent', 'metadata', 'uid'],
  ['parent', 'metadata', 'generation'],
  ['parent', 'metadata', 'annotations'],
  ['parent', 'metadata', 'deletionTimestamp'],
  ['parent', 'status'],
  ['controller'],
  ['children'],
  ['related'],
  ['finalizing'],
];
const REQUIRED = new Set([
  'parent',
  'parent.apiVersion',
  'parent.kind',
  'parent.metadata',
  'parent.metadata.name',
  'parent.metadata.uid',
  'parent.metadata.namespace',
]);

function setAt(root: Record<string, unknown>, path: string[], value: unknown, remove: boolean): unknown {
  if (path.length === 0) return value;
  let node = root;
  for (const k of path.slice(0, -1)) node = node[k] as Record<string, unknown>;
  if (remove) delete node[path[path.length - 1]!];
  else node[path[path.length - 1]!] = value;
  return root;
}

const envelopeCase: fc.Arbitrary<FuzzCase> = fc
  .record({ path: fc.constantFrom(...ENVELOPE_PATHS), value: anyValue, remove: fc.boolean(), id: uid, url })
  .map(({ path, value, remove, id, url }) => {
    const dotted = path.join('.');
    const removesRequired = remove && REQUIRED.has(dotted);
    return {
      kind: remove ? 'envelope part removed' : 'envelope part replaced',
      detail: `${dotted || '(body)'} ${remove ? 'removed' : `= ${short(value)}`}`,
      // Removing a required part is always malformed; replacing a part may happen to stay valid.
      expect: removesRequired ? 'malformed' : 'maybe-malformed',
      url,
      body: (n: number) => asText(setAt(validEnvelope((m) => ({ name: `fz-${m}-env` }), id, url === '/finalize')(n), path, value, remove && path.length > 0)),
    } satisfies FuzzCase;
  });

/** The parent of another kind or group: 422. */
const wrongKindCase: fc.Arbitrary<FuzzCase> = fc
  .record({ apiVersion: fc.oneof(fc.constant('s3.services.k8s.aws/v1beta1'), weirdString), kind: fc.oneof(fc.constant('Bucket'), weirdString), id: uid })
  .filter(({ apiVersion, kind }) => apiVersion !== 's3.services.k8s.aws/v1alpha1' || kind !== 'Bucket')
  .map(({ apiVersion, kind, id }) => ({
    kind: 'wrong kind',
    expect: 'malformed',
    url: '/sync',
    body: (n: number) => {
      const env = validEnvelope((m) => ({ name: `fz-${m}-kind` }), id)(n);
      Object.assign(env.parent as object, { apiVersion, kind });
      return asText(env);
    },
  }));

/** Not an envelope at all: any JSON text, broken JSON, or nested past the depth limit. */
const notJsonCase: fc.Arbitrary<FuzzCase> = fc
  .oneof(
    anyValue.map((v) => asText(v) ?? 'undefined'),
    fc.string({ maxLength: 60 }),
    fc.constantFrom('', '{', '{"parent":', '[1,]', '{"a":1}}', 'nul', '\u0000', '{"parent":{}}\n{"parent":{}}'),
    fc.integer({ min: 101, max: 200_000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
  )
  .chain((text) => url.map((u) => ({ kind: 'not an envelope', expect: 'maybe-malformed' as const, url: u, body: () => text })));

/** Prototype-pollution keys where a naive merge would use them. The parser must refuse them (400). */
const pollutionCase: fc.Arbitrary<FuzzCase> = fc
  .record({
    where: fc.constantFrom('envelope', 'parent', 'metadata', 'annotations', 'spec', 'tagging', 'status'),
    key: fc.constantFrom('__proto__', 'constructor'),
    id: uid,
  })
  .map(({ where, key, id }) => ({
    kind: `pollution key ${key}`,
    // {"__proto__": ...} and {"constructor": {"prototype": ...}} are refused by the parser.
    expect: 'malformed',
    url: '/sync',
    body: (n: number) => {
      const env = validEnvelope((m) => ({ name: `fz-${m}-pp`, tagging: { tagSet: [{ key: 'a', value: 'b' }] } }), id)(n);
      const parent = env.parent as Record<string, Record<string, unknown>>;
      const spec = parent.spec as Record<string, Record<string, unknown>>;
      const target = {
        envelope: env,
        parent,
        metadata: parent.metadata,
        annotations: parent.metadata!.annotations,
        spec,
        tagging: spec.tagging,
        status: (parent.status = {}),
      }[where] as Record<string, unknown>;
      target.__pollute__ = { prototype: { polluted: 'yes' }, polluted: 'yes', isAdmin: true };
      return asText(env).replace('"__pollute__"', JSON.stringify(key));
    },
  }));

export const fuzzCase: fc.Arbitrary<FuzzCase> = fc.oneof(
  { weight: 3, arbitrary: validCase },
  { weight: 4, arbitrary: invalidFieldCase },
  { weight: 2, arbitrary: wrongTypeCase },
  { weight: 2, arbitrary: annotationCase },
  { weight: 4, arbitrary: envelopeCase },
  { weight: 1, arbitrary: wrongKindCase },
  { weight: 2, arbitrary: notJsonCase },
  { weight: 1, arbitrary: pollutionCase },
);

// ---- the check -----------------------------------------------------------------------------------

const cond = (r: HookResponse, type: string): Condition | undefined => r.status?.conditions?.find((c) => c.type === type);

function fail(c: FuzzCase, res: LightMyRequestResponse, why: string): never {
  throw new Error(`${c.kind} (${c.expect}${c.field ? `, field ${c.field}` : ''}) -> HTTP ${res.statusCode}: ${why}\nanswer: ${res.body.slice(0, 400)}`);
}

/** What Fastify's JSON parser refuses: an own "__proto__" key, or "constructor" holding a "prototype". */
function poisoned(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.some(poisoned);
  for (const [k, v] of Object.entries(value)) {
    if (k === '__proto__') return true;
    if (k === 'constructor' && typeof v === 'object' && v !== null && Object.prototype.hasOwnProperty.call(v, 'prototype')) return true;
    if (poisoned(v)) return true;
  }
  return false;
}

/** What the body must get, whatever the case meant: over the limit, too deep and poisoned bodies are refused first. */
interface Expectation {
  expect: Expect;
  status?: number;
  finalizing: boolean;
  /** A sync of a resource being deleted (no finalize hook configured): the status is echoed, S3 left alone. */
  deletingSync: boolean;
  /** The Bucket asks for its coordinates ConfigMap (annotation): the only child an answer may hold. */
  configMapAsked?: boolean;
}

export function expectationOf(c: FuzzCase, text: string): Expectation {
  const refused = (expect: Expect, status: number): Expectation => ({ expect, status, finalizing: false, deletingSync: false });
  if (Buffer.byteLength(text) > BODY_LIMIT) return refused('malformed', 413);
  if (nestsDeeperThan(text, MAX_JSON_DEPTH)) return refused('too-deep', 400);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return refused('malformed', 400);
  }
  if (poisoned(parsed)) return refused('malformed', 400);
  const envelope = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as {
    finalizing?: unknown;
    parent?: { metadata?: { deletionTimestamp?: unknown; annotations?: Record<string, unknown> } };
  };
  const finalizing = envelope.finalizing === true;
  const configMapAsked = typeof envelope.parent?.metadata?.annotations?.[ANNOTATION.coordinatesConfigMap] === 'string';
  return { expect: c.expect, finalizing, deletingSync: !finalizing && Boolean(envelope.parent?.metadata?.deletionTimestamp), configMapAsked };
}

function checkOk(c: FuzzCase, res: LightMyRequestResponse, { finalizing, deletingSync, configMapAsked }: Expectation): void {
  const body = res.json<HookResponse>();
  if (typeof body.status !== 'object' || body.status === null) fail(c, res, 'a 200 without a status');
  if (!Array.isArray(body.children)) fail(c, res, 'children must be a list');
  // The only child is the coordinates ConfigMap, and only for a Bucket that asks for it.
  const children = body.children as Array<{ apiVersion?: unknown; kind?: unknown }>;
  if (!configMapAsked && children.length !== 0) fail(c, res, 'children must be [] without the coordinates annotation');
  if (children.length > 1 || children.some((child) => child.apiVersion !== 'v1' || child.kind !== 'ConfigMap'))
    fail(c, res, 'at most one child, the coordinates ConfigMap');
  if (deletingSync) {
    if (typeof body.status.observedGeneration !== 'number' || body.finalized !== undefined)
      fail(c, res, 'a sync while deleting echoes the status, nothing else');
    return;
  }
  if (!cond(body, 'Ready') || !cond(body, 'ACK.ResourceSynced')) fail(c, res, 'Ready and ACK.ResourceSynced must always be present');
  if (body.resyncAfterSeconds !== undefined && !(body.resyncAfterSeconds > 0)) fail(c, res, 'resyncAfterSeconds must be > 0 when present');
  if (body.finalized !== undefined && !finalizing) fail(c, res, 'finalized in an answer to a sync (Metacontroller would drop its finalizer)');
  const terminal = cond(body, 'ACK.Terminal');
  if (c.expect === 'valid') {
    if (cond(body, 'Ready')?.status !== 'True' || cond(body, 'ACK.ResourceSynced')?.status !== 'True')
      fail(c, res, 'a valid spec must end Ready and Synced over the fake S3');
  }
  if (c.expect === 'must-be-invalid' && terminal?.reason !== 'InvalidSpec') fail(c, res, `spec.${c.field} of the wrong type must be InvalidSpec`);
  if ((c.expect === 'invalid-spec' || c.expect === 'must-be-invalid') && terminal?.reason === 'InvalidSpec') {
    const path = c.field === '(spec)' ? 'spec' : `spec.${c.field}`;
    if (!terminal.message.startsWith(path)) fail(c, res, `the InvalidSpec message must name ${path}`);
  }
  if (terminal?.reason === 'InvalidSpec' && !/^(spec\b|metadata\.annotations\[")/.test(terminal.message))
    fail(c, res, 'InvalidSpec must name a spec. or annotation path');
}

function checkRefused(c: FuzzCase, res: LightMyRequestResponse, expect: Expect): void {
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    fail(c, res, 'a 4xx must be JSON');
  }
  const { code, message } = body as { code?: unknown; message?: unknown };
  if (typeof code !== 'string' || typeof message !== 'string' || message === '') fail(c, res, 'a 4xx must be {code, message}');
  if (expect === 'too-deep' && code !== 'HOOK_JSON_TOO_DEEP') fail(c, res, 'expected HOOK_JSON_TOO_DEEP');
}

export function check(c: FuzzCase, text: string, res: LightMyRequestResponse): void {
  const expectation = expectationOf(c, text);
  const { expect, status } = expectation;
  if (res.statusCode >= 500) fail(c, res, 'a 5xx');
  if (status !== undefined && res.statusCode !== status) fail(c, res, `expected HTTP ${status}`);
  if (res.statusCode === 200) {
    if (expect === 'malformed' || expect === 'too-deep') fail(c, res, 'a malformed envelope was accepted');
    checkOk(c, res, expectation);
    return;
  }
  if (res.statusCode < 400) fail(c, res, 'only 200 or 4xx');
  if (expect === 'valid' || expect === 'invalid-spec' || expect === 'must-be-invalid' || expect === 'any-200')
    fail(c, res, 'a well-formed envelope must be answered 200');
  checkRefused(c, res, expect);
}

// ---- the run -------------------------------------------------------------------------------------

export interface FuzzReport {
  runs: number;
  seed: number;
  byKind: Record<string, number>;
  byCode: Record<string, number>;
  slowestMs: number;
  slowestKind: string;
  bucketsInFake: number;
}

/** Runs `runs` cases through one app over one fake S3; throws (with fast-check's shrunk counterexample) on a violation. */
export async function runEnvelopeFuzz(runs: number, seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31)): Promise<FuzzReport> {
  const fake = new FakeS3();
  const { log: _log, clock: _clock, ...deps } = testDeps(fake.factory());
  const app = buildApp({ deps, logger: false, bodyLimitBytes: BODY_LIMIT });
  const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort().join();
  const report: FuzzReport = { runs, seed, byKind: {}, byCode: {}, slowestMs: 0, slowestKind: '', bucketsInFake: 0 };
  let n = 0;
  try {
    await fc.assert(
      fc.asyncProperty(fuzzCase, async (c) => {
        n++;
        const started = performance.now();
        const text = c.body(n);
        const res = await app.inject({ method: 'POST', url: c.url, payload: text, headers: { 'content-type': 'application/json' } });
        const ms = performance.now() - started;
        if (ms > report.slowestMs) {
          report.slowestMs = ms;
          report.slowestKind = c.kind;
        }
        report.byKind[c.kind] = (report.byKind[c.kind] ?? 0) + 1;
        report.byCode[res.statusCode] = (report.byCode[res.statusCode] ?? 0) + 1;
        check(c, text, res);
        if (Object.getOwnPropertyNames(Object.prototype).sort().join() !== prototypeKeys || ({} as Record<string, unknown>).polluted !== undefined) {
          throw new Error(`${c.kind}: Object.prototype was polluted`);
        }
      }),
      { numRuns: runs, seed, endOnFailure: false },
    );
  } finally {
    await app.close();
  }
  report.bucketsInFake = fake.buckets.size;
  return report;
}
