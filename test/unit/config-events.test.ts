// Where Kubernetes Events go (src/config.ts): KUBE_API_URL, else the in-cluster service with the
// ServiceAccount's files, else nowhere (the quick start); the instance name; limits checked.
import t from 'tap';
import { type ConfigError, IN_CLUSTER_CA_FILE, IN_CLUSTER_TOKEN_FILE, parseConfig } from '../../src/config.js';

const base = { AWS_REGION: 'eu-west-1' };

t.test('outside a cluster, no API server: no events', async (t) => {
  t.equal(parseConfig(base).events, undefined);
});

t.test('in a pod: the service address and the ServiceAccount token and CA; POD_NAME as the instance', async (t) => {
  t.same(
    parseConfig({ ...base, KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443', POD_NAME: 'bucket-hook-7c9f-abcde', HOSTNAME: 'ignored' })
      .events,
    {
      url: 'https://10.96.0.1:443',
      explicit: false,
      tokenFile: IN_CLUSTER_TOKEN_FILE,
      caFile: IN_CLUSTER_CA_FILE,
      instance: 'bucket-hook-7c9f-abcde',
      timeoutMs: 5000,
      queueSize: 1000,
    },
  );
  t.equal(parseConfig({ ...base, KUBERNETES_SERVICE_HOST: 'fd00::1' }).events?.url, 'https://[fd00::1]:443', 'IPv6, default port');
  t.equal(parseConfig({ ...base, KUBERNETES_SERVICE_HOST: '10.96.0.1', HOSTNAME: 'pod-b' }).events?.instance, 'pod-b');
  t.equal(parseConfig({ ...base, KUBERNETES_SERVICE_HOST: '10.96.0.1' }).events?.instance, 'bucket-hook');
  t.equal(parseConfig({ ...base, KUBERNETES_SERVICE_HOST: '10.96.0.1', EVENTS_ENABLED: 'false' }).events, undefined, 'turned off');
});

t.test('KUBE_API_URL: explicit, no token or CA unless named; the limits', async (t) => {
  t.match(
    parseConfig({ ...base, KUBE_API_URL: 'http://127.0.0.1:8001', KUBERNETES_SERVICE_HOST: '10.96.0.1', EVENTS_TIMEOUT_MS: '250', EVENTS_QUEUE_SIZE: '10' })
      .events,
    {
      url: 'http://127.0.0.1:8001',
      explicit: true,
      tokenFile: undefined,
      caFile: undefined,
      timeoutMs: 250,
      queueSize: 10,
    },
  );
  t.match(parseConfig({ ...base, KUBE_API_URL: 'https://api.example:6443', KUBE_TOKEN_FILE: '/t', KUBE_CA_FILE: '/c' }).events, {
    tokenFile: '/t',
    caFile: '/c',
  });
});

t.test('bad values are reported with the rest', async (t) => {
  const err = t.throws(() =>
    parseConfig({ ...base, KUBE_API_URL: 'ftp://x', EVENTS_TIMEOUT_MS: '5', EVENTS_QUEUE_SIZE: 'many', EVENTS_ENABLED: 'perhaps' }),
  ) as ConfigError;
  t.same(err.problems, [
    'EVENTS_ENABLED="perhaps" must be true or false',
    'EVENTS_TIMEOUT_MS="5" must be a whole number from 100 to 60000',
    'EVENTS_QUEUE_SIZE="many" must be a whole number from 1 to 100000',
    'KUBE_API_URL="ftp://x" must be an http(s) URL such as https://10.96.0.1:443',
  ]);
});
