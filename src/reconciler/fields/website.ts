// spec.website: a website needs an index document or a redirect of all requests; without either the
// configuration is removed. Routing rules keep their order (S3 applies them in order).
import { clean } from '../model/canonical.js';
import { documentField } from './document.js';
import { section } from './spec-access.js';

export const websiteField = documentField({
  path: 'spec.website',
  config: 'website',
  desired: (spec) => section(spec, 'website'),
  removes: (d) => !section(d, 'indexDocument')?.suffix && !section(d, 'redirectAllRequestsTo')?.hostName,
  canonical: (v) => clean(v),
  removal: { delete: true },
  unsetAtCreate: true,
});
