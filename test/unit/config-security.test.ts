// The settings of issue 23's hardening: how IAMRoleSelectors without a namespaceSelector are treated,
// where the hook listens without a token, and what KUBE_API_URL may be.
import t from 'tap';
import { ConfigError, parseConfig } from '../../src/config.js';

const problems = (env: Record<string, string>): string[] => {
  try {
    parseConfig({ AWS_REGION: 'eu-west-1', ...env });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
};

t.test('ALLOW_UNSCOPED_ROLE_SELECTORS: off by default, true restores ACK\'s matching, anything else is a problem', async (t) => {
  t.equal(parseConfig({ AWS_REGION: 'eu-west-1' }).allowUnscopedRoleSelectors, false);
  t.equal(parseConfig({ AWS_REGION: 'eu-west-1', ALLOW_UNSCOPED_ROLE_SELECTORS: 'true' }).allowUnscopedRoleSelectors, true);
  t.same(problems({ ALLOW_UNSCOPED_ROLE_SELECTORS: 'sometimes' }), ['ALLOW_UNSCOPED_ROLE_SELECTORS="sometimes" must be true or false']);
});
