// The settings of issue 23's hardening: how IAMRoleSelectors without a namespaceSelector are treated,
// where the hook listens without a token, and what KUBE_API_URL may be.
import t from 'tap';
import { parseConfig } from '../../src/config.js';
import { configProblems } from '../support/config-problems.js';

const problems = configProblems;

t.test("ALLOW_UNSCOPED_ROLE_SELECTORS: off by default, true restores ACK's matching, anything else is a problem", async (t) => {
  t.equal(parseConfig({ AWS_REGION: 'eu-west-1' }).allowUnscopedRoleSelectors, false);
  t.equal(parseConfig({ AWS_REGION: 'eu-west-1', ALLOW_UNSCOPED_ROLE_SELECTORS: 'true' }).allowUnscopedRoleSelectors, true);
  t.same(problems({ ALLOW_UNSCOPED_ROLE_SELECTORS: 'sometimes' }), ['ALLOW_UNSCOPED_ROLE_SELECTORS="sometimes" must be true or false']);
});

t.test('KUBE_API_URL: a token goes over plain http only to loopback; a path prefix is kept; no query, fragment or credentials', async (t) => {
  const token = { KUBE_TOKEN_FILE: '/var/run/token' };
  t.same(problems({ KUBE_API_URL: 'http://10.96.0.1:8080', ...token }), [
    'KUBE_API_URL="http://10.96.0.1:8080" is plain http to a host that is not loopback, and KUBE_TOKEN_FILE would send the ServiceAccount token in clear text: use https:// (with KUBE_CA_FILE), or kubectl proxy on 127.0.0.1',
  ]);
  for (const url of ['http://127.0.0.1:8001', 'http://localhost:8001', 'http://[::1]:8001', 'https://10.96.0.1:443'])
    t.same(problems({ KUBE_API_URL: url, ...token }), [], url);
  t.same(problems({ KUBE_API_URL: 'http://10.96.0.1:8080' }), [], 'plain http without a token sends no secret (an authenticating proxy in front)');
  t.equal(
    parseConfig({ AWS_REGION: 'eu-west-1', KUBE_API_URL: 'https://rancher.example/k8s/clusters/c-1' }).events?.url,
    'https://rancher.example/k8s/clusters/c-1',
    'a path prefix is kept (kube-api.ts puts it in front of every path)',
  );
  for (const url of ['https://10.96.0.1/?x=1', 'https://10.96.0.1/#f', 'https://user:pw@10.96.0.1/']) {
    t.same(
      problems({ KUBE_API_URL: url }),
      [`KUBE_API_URL="${url}" may hold a scheme, host, port and path only: no query, fragment or user:password (the token goes in KUBE_TOKEN_FILE)`],
      url,
    );
  }
});

t.test('isLoopback: localhost, 127.0.0.0/8 and ::1 only', async (t) => {
  const { isLoopback } = await import('../../src/loopback.js');
  const rows: Array<[string, boolean]> = [
    ['localhost', true],
    ['LOCALHOST', true],
    ['127.0.0.1', true],
    ['127.9.8.7', true],
    ['::1', true],
    ['[::1]', true],
    ['0:0:0:0:0:0:0:1', true],
    ['::ffff:127.0.0.1', true],
    [new URL('http://[::ffff:127.0.0.1]/').hostname, true],
    ['::ffff:10.0.0.1', false],
    ['0.0.0.0', false],
    ['::', false],
    ['10.0.0.1', false],
    ['128.0.0.1', false],
    ['localhost.example.com', false],
    ['[::2]', false],
    ['', false],
  ];
  for (const [host, expected] of rows) t.equal(isLoopback(host), expected, host);
});

t.test('HOST: loopback by default; beyond loopback only with a token, client certificates, or ALLOW_UNAUTHENTICATED=true', async (t) => {
  const d = parseConfig({ AWS_REGION: 'eu-west-1' });
  t.same([d.host, d.allowUnauthenticated], ['127.0.0.1', false]);
  const open = (host: string) =>
    `HOST="${host}" listens beyond this machine, and neither HOOK_TOKEN_FILE nor TLS_CLIENT_CA_FILE is set: anyone who can connect could use the hook's S3 credentials. Set HOOK_TOKEN_FILE (the install does), or HOST=127.0.0.1, or ALLOW_UNAUTHENTICATED=true where a NetworkPolicy is the only guard (Metacontroller < 4.16)`;
  t.same(problems({ HOST: '0.0.0.0' }), [open('0.0.0.0')]);
  t.same(problems({ HOST: '::' }), [open('::')]);
  t.same(problems({ HOST: '10.1.2.3' }), [open('10.1.2.3')]);
  for (const host of ['127.0.0.1', 'localhost', '::1']) t.same(problems({ HOST: host }), [], `${host}: loopback, no token needed`);
  t.same(problems({ HOST: '0.0.0.0', HOOK_TOKEN_FILE: '/var/run/secrets/bucket-hook/token' }), [], 'a token: the install');
  t.same(problems({ HOST: '0.0.0.0', TLS_CERT_FILE: '/c', TLS_KEY_FILE: '/k', TLS_CLIENT_CA_FILE: '/ca' }), [], 'mTLS checks callers too');
  t.same(problems({ HOST: '0.0.0.0', TLS_CERT_FILE: '/c', TLS_KEY_FILE: '/k' }), [open('0.0.0.0')], 'TLS alone checks no caller');
  t.same(problems({ HOST: '0.0.0.0', ALLOW_UNAUTHENTICATED: 'true' }), [], 'the admin says so (overlays/metacontroller-pre-4.16)');
  t.equal(parseConfig({ AWS_REGION: 'eu-west-1', HOST: '0.0.0.0', ALLOW_UNAUTHENTICATED: 'true' }).allowUnauthenticated, true);
});
