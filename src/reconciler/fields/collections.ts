// analytics, metrics, inventory and intelligentTiering: sets of configurations keyed by id. Each
// configuration that differs is put; each one S3 lists that the spec no longer names is deleted (it
// was just listed, so it exists). `[]` removes them all; omitting the field leaves them alone.
import type { CollectionItem, CollectionName } from '../../s3/port.js';
import { clean } from '../model/canonical.js';
import { SpecError } from '../model/spec-error.js';
import type { Field } from '../model/types.js';
import { list } from './spec-access.js';

function byId(items: Array<{ id: string }>): Map<string, string> {
  return new Map(items.map((i) => [String(i.id), JSON.stringify(clean(i))]));
}

function collectionField<K extends CollectionName>(name: K): Field<Array<CollectionItem[K]>, Array<CollectionItem[K]>> {
  return {
    path: `spec.${name}`,
    desired: ({ spec }) => {
      if (!Array.isArray(spec[name])) return undefined;
      const seen = new Set<string>();
      return list(spec[name]).map((item, i): CollectionItem[K] => {
        const id = item.id;
        if (typeof id !== 'string' || id === '' || seen.has(id)) throw new SpecError(`spec.${name}[${i}].id`, 'must be a non-empty id, unique in the list');
        seen.add(id);
        // The rest of the item is the spec schema's (checked before any field runs); `id` stays in its place.
        return { ...item, id };
      });
    },
    read: (ctx) => ctx.port.listCollection(name, ctx.bucket, ctx.signal),
    inSync: (desired, observed) => {
      const want = byId(desired),
        have = byId(observed);
      return want.size === have.size && [...want].every(([id, v]) => have.get(id) === v);
    },
    write: async (ctx, desired, observed) => {
      const have = byId(observed);
      for (const item of desired) {
        if (have.get(String(item.id)) !== JSON.stringify(clean(item))) await ctx.port.putCollectionItem(name, ctx.bucket, item, ctx.signal);
      }
      const wanted = new Set(desired.map((i) => String(i.id)));
      for (const id of have.keys()) if (!wanted.has(id)) await ctx.port.deleteCollectionItem(name, ctx.bucket, id, ctx.signal);
    },
    // A new bucket has none.
    created: () => ({ value: [] }),
  };
}

export const analyticsField = collectionField('analytics');
export const metricsField = collectionField('metrics');
export const inventoryField = collectionField('inventory');
export const intelligentTieringField = collectionField('intelligentTiering');
