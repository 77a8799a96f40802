// analytics, metrics, inventory and intelligentTiering: sets of configurations keyed by id. Each
// configuration that differs is put; each one S3 lists that the spec no longer names is deleted (it
// was just listed, so it exists). `[]` removes them all; omitting the field leaves them alone.
import { COLLECTION_OPERATIONS } from '../../s3/operations.js';
import type { CollectionName } from '../../s3/port.js';
import { clean } from '../canonical.js';
import { SpecError } from '../spec-error.js';
import type { Field } from './field.js';
import { list } from './spec-access.js';

type Items = Array<Record<string, unknown>>;

function byId(items: Items): Map<string, string> {
  return new Map(items.map((i) => [String(i.id), JSON.stringify(clean(i))]));
}

function collectionField(name: CollectionName): Field<Items, Items> {
  const ops = COLLECTION_OPERATIONS[name];
  return {
    path: `spec.${name}`,
    readOperation: ops.read,
    writeOperation: ops.write,
    desired: ({ spec }) => {
      if (!Array.isArray(spec[name])) return undefined;
      const items = list(spec[name]);
      const ids = items.map((i) => i.id);
      const bad = ids.findIndex((id, i) => typeof id !== 'string' || id === '' || ids.indexOf(id) !== i);
      if (bad >= 0) throw new SpecError(`spec.${name}[${bad}].id`, 'must be a non-empty id, unique in the list');
      return items;
    },
    read: (ctx) => ctx.port.listCollection(name, ctx.bucket, ctx.signal),
    inSync: (desired, observed) => {
      const want = byId(desired), have = byId(observed);
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
  };
}

export const analyticsField = collectionField('analytics');
export const metricsField = collectionField('metrics');
export const inventoryField = collectionField('inventory');
export const intelligentTieringField = collectionField('intelligentTiering');
