// spec.logging: S3 has no Delete; logging is disabled by putting an empty status. Grants compare as
// a set, and an absent prefix equals "" (provider-aws PR #2214 looped on these).
import { asSet, clean } from '../model/canonical.js';
import { documentField } from './document.js';
import { list, section, text } from './spec-access.js';

export const loggingField = documentField({
  path: 'spec.logging',
  config: 'logging',
  desired: (spec) => {
    const logging = section(spec, 'logging');
    if (!logging) return undefined;
    const enabled = section(logging, 'loggingEnabled');
    return enabled ? { loggingEnabled: enabled } : {};
  },
  removes: (d) => !text(d.loggingEnabled?.targetBucket),
  canonical: (v) => {
    const enabled = v?.loggingEnabled;
    if (!enabled || !text(enabled.targetBucket)) return 'disabled';
    return clean({ targetBucket: enabled.targetBucket, targetPrefix: enabled.targetPrefix ?? '', targetGrants: asSet(list(enabled.targetGrants)) });
  },
  removal: { put: {} },
  unsetAtCreate: true,
});
