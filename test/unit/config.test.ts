import t from 'tap';
import { ConfigError, parseConfig } from '../../src/config.js';

t.test('defaults', async (t) => {
  const c = parseConfig({ AWS_REGION: 'eu-west-1' });
  t.same(
    [c.port, c.host, c.logLevel, c.region, c.endpoint, c.forcePathStyle, c.deletionPolicy, c.driftCheckSeconds, c.bodyLimitBytes, c.keepAliveTimeoutMs],
    [8080, '0.0.0.0', 'info', 'eu-west-1', undefined, false, 'delete', 600, 1048576, 120000],
  );
});

t.test('the SDK conventions and overrides', async (t) => {
  const c = parseConfig({ AWS_DEFAULT_REGION: 'us-west-2', AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:7480', S3_FORCE_PATH_STYLE: 'true', DELETION_POLICY: 'Retain', PORT: '9000', AWS_ACCOUNT_ID: '123456789012' });
  t.same([c.region, c.endpoint, c.forcePathStyle, c.deletionPolicy, c.port, c.accountId], ['us-west-2', 'http://127.0.0.1:7480', true, 'retain', 9000, '123456789012']);
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
