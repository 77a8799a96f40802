// Object Lock: spec.objectLockConfiguration (default retention) and spec.objectLockEnabledForBucket.
// Lock can be turned on for an existing (or adopted) bucket whose versioning is on, never off again
// (ACK #2965: an adopted bucket silently never got its lock). Versioning is applied first.
import type { ObjectLockConfig } from '../../s3/port.js';
import { clean } from '../model/canonical.js';
import { documentField } from './document.js';
import { section } from './spec-access.js';

/** `rule` undefined in the desired value: the default retention is not managed, only the lock itself. */
function comparable(v: ObjectLockConfig | undefined, withRule: boolean): unknown {
  return clean({ enabled: v?.objectLockEnabled === 'Enabled', rule: withRule ? section(v?.rule ?? {}, 'defaultRetention') : undefined }) ?? {};
}

export const objectLockField = documentField({
  path: 'spec.objectLockConfiguration',
  config: 'objectLock',
  desired: (spec) => {
    const config = section(spec, 'objectLockConfiguration');
    if (config) return { objectLockEnabled: 'Enabled', rule: section(config, 'rule') ?? {} };
    return spec.objectLockEnabledForBucket === true ? { objectLockEnabled: 'Enabled' } : undefined;
  },
  removes: () => false,
  canonical: (v) => comparable(v, true),
  same: (desired, observed) =>
    JSON.stringify(comparable(desired, desired.rule !== undefined)) === JSON.stringify(comparable(observed, desired.rule !== undefined)),
  removal: { put: {} },
});
