// The common shape of most bucket settings: one document per bucket, read with Get, written with Put,
// removed with Delete (or a Put of an empty document where S3 has no Delete).
import { CONFIG_OPERATIONS } from '../../s3/operations.js';
import type { ConfigName } from '../../s3/port.js';
import { deepEqual } from '../canonical.js';
import type { DesiredBucket } from '../types.js';
import type { Field } from './field.js';

export interface DocumentRules<D> {
  path: string;
  config: ConfigName;
  /** The spec's value as the desired document; undefined = unmanaged. Throws SpecError. */
  desired(spec: Record<string, unknown>, d: DesiredBucket): D | undefined;
  /** True when the desired value asks for the setting to be gone (e.g. `cors: {corsRules: []}`). */
  removes(desired: D): boolean;
  /** Comparable form. `undefined` = what S3 reports when nothing is configured (its default). */
  canonical(value: D | undefined): unknown;
  /** How to remove it: S3's Delete (sent only after a Get found a configuration), or a Put of `put`. */
  removal: { delete: true } | { put: D };
  /** When comparing needs both sides at once (ids S3 invents); defaults to equal canonical forms. */
  same?: (desired: D, observed: D | undefined) => boolean;
}

export function documentField<D>(rules: DocumentRules<D>): Field<D, D | undefined> {
  const ops = CONFIG_OPERATIONS[rules.config];
  return {
    path: rules.path,
    readOperation: ops.read,
    writeOperation: ops.write,
    desired: (d) => rules.desired(d.spec, d),
    read: async (ctx) => (await ctx.port.getConfig(rules.config, ctx.bucket, ctx.signal)) as D | undefined,
    inSync: (desired, observed) => {
      if (rules.removes(desired)) return deepEqual(rules.canonical(undefined), rules.canonical(observed));
      return rules.same ? rules.same(desired, observed) : deepEqual(rules.canonical(desired), rules.canonical(observed));
    },
    write: async (ctx, desired, observed) => {
      if (!rules.removes(desired)) return ctx.port.putConfig(rules.config, ctx.bucket, desired, ctx.signal);
      if ('put' in rules.removal) return ctx.port.putConfig(rules.config, ctx.bucket, rules.removal.put, ctx.signal);
      // Never "reset" what S3 did not report as set: on S3-compatible stores a sub-resource Delete can drop the bucket.
      if (observed !== undefined) await ctx.port.deleteConfig(rules.config, ctx.bucket, ctx.signal);
    },
  };
}
