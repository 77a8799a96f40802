// spec.cors: rule order matters to S3 (first match wins), the order inside each list does not.
import { clean } from '../model/canonical.js';
import { documentField } from './document.js';
import { list, section } from './spec-access.js';

const SETS = ['allowedHeaders', 'allowedMethods', 'allowedOrigins', 'exposeHeaders'];

export const corsField = documentField({
  path: 'spec.cors',
  config: 'cors',
  desired: (spec) => {
    const cors = section(spec, 'cors');
    return cors ? { corsRules: list(cors.corsRules) } : undefined;
  },
  removes: (d) => (d.corsRules ?? []).length === 0,
  canonical: (v) =>
    clean(
      (v?.corsRules ?? []).map((r) =>
        Object.fromEntries(Object.entries(r).map(([k, val]) => [k, SETS.includes(k) && Array.isArray(val) ? [...(val as string[])].sort() : val])),
      ),
    ),
  removal: { delete: true },
  unsetAtCreate: true,
});
