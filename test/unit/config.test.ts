import t from 'tap';
import { ConfigError, parseConfig } from '../../src/config.js';
import { configProblems } from '../support/config-problems.js';

t.test('defaults', async (t) => {
  const c = parseConfig({ AWS_REGION: 'eu-west-1' });
  t.same(
    [c.port, c.host, c.logLevel, c.region, c.endpoint, c.forcePathStyle, c.deletionPolicy, c.driftCheckSeconds, c.bodyLimitBytes, c.keepAliveTimeoutMs],
    [8080, '127.0.0.1', 'info', 'eu-west-1', undefined, false, 'delete', 600, 1048576, 120000],
  );
});

t.test('the SDK conventions and overrides', async (t) => {
  const c = parseConfig({
    AWS_DEFAULT_REGION: 'us-west-2',
    AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:7480',
    S3_FORCE_PATH_STYLE: 'true',
    DELETION_POLICY: 'Retain',
    PORT: '9000',
    AWS_ACCOUNT_ID: '123456789012',
  });
  t.same(
    [c.region, c.endpoint, c.forcePathStyle, c.deletionPolicy, c.port, c.accountId],
    ['us-west-2', 'http://127.0.0.1:7480', true, 'retain', 9000, '123456789012'],
  );
});

t.test('every problem is reported at once, in plain words', async (t) => {
  try {
    parseConfig({ PORT: 'eighty', S3_FORCE_PATH_STYLE: 'maybe', DELETION_POLICY: 'keep', AWS_ENDPOINT_URL_S3: 'localhost:7480', LOG_LEVEL: 'loud' });
    t.fail('should throw');
  } catch (err) {
    t.ok(err instanceof ConfigError);
    t.same((err as ConfigError).problems, [
      'AWS_REGION is not set: set it to the region where Buckets are created by default (e.g. AWS_REGION=eu-west-1); a Bucket can override it with the annotation services.k8s.aws/region',
      'AWS_ENDPOINT_URL_S3="localhost:7480" must be an http(s) URL such as http://127.0.0.1:7480',
      'LOG_LEVEL="loud" must be one of fatal, error, warn, info, debug, trace, silent',
      'DELETION_POLICY="keep" must be delete or retain',
      'PORT="eighty" must be a whole number from 0 to 65535',
      'S3_FORCE_PATH_STYLE="maybe" must be true or false',
    ]);
  }
});

t.test('the admin port and the connection limits: defaults, overrides, ranges', async (t) => {
  const d = parseConfig({ AWS_REGION: 'eu-west-1' });
  t.same([d.adminPort, d.requestTimeoutMs, d.headersTimeoutMs, d.maxConnections], [8081, 30_000, 10_000, 512]);
  const c = parseConfig({ AWS_REGION: 'eu-west-1', ADMIN_PORT: '9090', REQUEST_TIMEOUT_MS: '500', HEADERS_TIMEOUT_MS: '500', MAX_CONNECTIONS: '64' });
  t.same([c.adminPort, c.requestTimeoutMs, c.headersTimeoutMs, c.maxConnections], [9090, 500, 500, 64]);
  t.equal(parseConfig({ AWS_REGION: 'eu-west-1', PORT: '0', ADMIN_PORT: '0' }).adminPort, 0, 'both on free ports (tests) is fine');

  const problems = configProblems;
  t.same(problems({ ADMIN_PORT: '70000', REQUEST_TIMEOUT_MS: '50', HEADERS_TIMEOUT_MS: '1e9', MAX_CONNECTIONS: '0' }), [
    'ADMIN_PORT="70000" must be a whole number from 0 to 65535',
    'REQUEST_TIMEOUT_MS="50" must be a whole number from 100 to 600000',
    'HEADERS_TIMEOUT_MS="1e9" must be a whole number from 100 to 600000',
    'MAX_CONNECTIONS="0" must be a whole number from 1 to 100000',
  ]);
  t.same(problems({ PORT: '8081' }), ['PORT and ADMIN_PORT are both 8081: the admin port (probes, /metrics) needs a port of its own']);
  t.same(problems({ REQUEST_TIMEOUT_MS: '5000', HEADERS_TIMEOUT_MS: '10000' }), [
    'HEADERS_TIMEOUT_MS (10000) must not exceed REQUEST_TIMEOUT_MS (5000): the headers are part of the request',
  ]);
  t.same(problems({ MAX_CONNECTIONS: '100000', REQUEST_TIMEOUT_MS: '600000', HEADERS_TIMEOUT_MS: '100' }), [], 'the bounds themselves are allowed');
});

t.test('issue 26 settings: the drift-loop guard, approval namespaces, take-back namespaces, the cluster name', async (t) => {
  const base = { AWS_REGION: 'eu-west-1' };
  const d = parseConfig(base);
  t.same(
    [d.driftLoop, d.approvalNamespaces, d.clusterName, d.tenancy.takeBackNamespaces],
    [{ corrections: 5, windowSeconds: 3600 }, [], undefined, undefined],
    'defaults: 5 within an hour, no approval, no name, no take-back',
  );
  const c = parseConfig({
    ...base,
    DRIFT_LOOP_CORRECTIONS: '0',
    DRIFT_LOOP_WINDOW_SECONDS: '600',
    APPROVAL_NAMESPACES: 'prod, payments',
    TAKE_BACK_NAMESPACES: '*',
    CLUSTER_NAME: 'prod-eu-1',
  });
  t.same(
    [c.driftLoop, c.approvalNamespaces, c.clusterName, c.tenancy.takeBackNamespaces],
    [{ corrections: 0, windowSeconds: 600 }, ['prod', 'payments'], 'prod-eu-1', 'all'],
  );
  t.same(parseConfig({ ...base, APPROVAL_NAMESPACES: '*' }).approvalNamespaces, 'all');
  const problems = configProblems;
  t.same(problems({ ...base, DRIFT_LOOP_CORRECTIONS: '-1', DRIFT_LOOP_WINDOW_SECONDS: '30', CLUSTER_NAME: 'Prod_EU' }), [
    'CLUSTER_NAME="Prod_EU" must be 1 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit (e.g. prod-eu-1)',
    'DRIFT_LOOP_CORRECTIONS="-1" must be a whole number from 0 to 1000',
    'DRIFT_LOOP_WINDOW_SECONDS="30" must be a whole number from 60 to 604800',
  ]);
});
