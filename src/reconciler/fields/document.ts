// The common shape of most bucket settings: one document per bucket, read with Get, written with Put,
// removed with Delete (or a Put of an empty document where S3 has no Delete). The document's type is
// the port's for that sub-resource (ConfigValue/ConfigWrite), so a field cannot send another shape.
import { isRemovableConfig, type ConfigName, type ConfigValue, type ConfigWrite, type RemovableConfigName } from '../../s3/port.js';
import { deepEqual } from '../model/canonical.js';
import type { DesiredSpec, Field } from '../model/types.js';

/** Every one-document sub-resource but the ACL, whose read and write forms differ (acl.ts). */
export type DocumentName = Exclude<ConfigName, 'acl'>;

export interface DocumentRules<K extends DocumentName> {
  path: string;
  config: K;
  /** The spec's value as the desired document; undefined = unmanaged. Throws SpecError. */
  desired(spec: Record<string, unknown>, d: DesiredSpec): ConfigWrite[K] | undefined;
  /** True when the desired value asks for the setting to be gone (e.g. `cors: {corsRules: []}`). */
  removes(desired: ConfigWrite[K]): boolean;
  /** Comparable form. `undefined` = what S3 reports when nothing is configured (its default). */
  canonical(value: ConfigValue[K] | ConfigWrite[K] | undefined): unknown;
  /**
   * How to remove it: S3's Delete (sent only after a Get found a configuration; only where S3 has one),
   * or a Put of `put`.
   */
  removal: (K extends RemovableConfigName ? { delete: true } : never) | { put: ConfigWrite[K] };
  /**
   * A new bucket has no such setting, so the hook knows what a read right after its create would say
   * (`undefined`) and does not ask. Not for settings S3 may fill at create (encryption, ownership
   * controls, public access block, ACL, object lock): those are read.
   */
  unsetAtCreate?: boolean | ((d: DesiredSpec) => boolean);
  /** When comparing needs both sides at once (ids S3 invents); defaults to equal canonical forms. */
  same?: (desired: ConfigWrite[K], observed: ConfigValue[K] | undefined) => boolean;
}

export function documentField<K extends DocumentName>(rules: DocumentRules<K>): Field<ConfigWrite[K], ConfigValue[K] | undefined> {
  // The types allow a Delete only where S3 has one; the compiler cannot carry that into write() below.
  const removable = isRemovableConfig(rules.config) ? rules.config : undefined;
  if ('delete' in rules.removal && !removable) throw new Error(`bug: ${rules.path} is removed with a Delete, but S3 has none for ${rules.config}`);
  return {
    path: rules.path,
    desired: (d) => rules.desired(d.spec, d),
    read: (ctx) => ctx.port.getConfig(rules.config, ctx.bucket, ctx.signal),
    inSync: (desired, observed) => {
      if (rules.removes(desired)) return deepEqual(rules.canonical(undefined), rules.canonical(observed));
      return rules.same ? rules.same(desired, observed) : deepEqual(rules.canonical(desired), rules.canonical(observed));
    },
    write: async (ctx, desired, observed) => {
      if (!rules.removes(desired)) return ctx.port.putConfig(rules.config, ctx.bucket, desired, ctx.signal);
      if ('put' in rules.removal) return ctx.port.putConfig(rules.config, ctx.bucket, rules.removal.put, ctx.signal);
      // Never "reset" what S3 did not report as set: on S3-compatible stores a sub-resource Delete can drop the bucket.
      if (observed !== undefined && removable) await ctx.port.deleteConfig(removable, ctx.bucket, ctx.signal);
    },
    created: (_desired, d) => {
      const unset = typeof rules.unsetAtCreate === 'function' ? rules.unsetAtCreate(d) : rules.unsetAtCreate === true;
      return unset ? { value: undefined } : undefined;
    },
  };
}
