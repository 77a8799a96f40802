// The alerts of manifests/monitoring/prometheusrule.yaml: valid rules (`promtool check rules`), each firing
// and not firing on series written for it (`promtool test rules` on alerts.promtool.yaml; promtool is
// Prometheus 3.16.0's, built by test/cluster/build.sh), and naming only series that exist: the hook's
// metrics and label values as src/ exports them, kube-state-metrics' as custom-resource-state.yaml
// configures them.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { parse, stringify } from 'yaml';
import { createMetrics, outcomeOf } from '../../src/http/metrics.js';
import type { HookResponse } from '../../src/reconciler/model/resource.js';
import { classify } from '../../src/s3/errors.js';
import { goProgram } from '../support/go-tools.js';
import { parseSamples } from '../support/prom-text.js';

const MONITORING = fileURLToPath(new URL('../../manifests/monitoring/', import.meta.url));
const PROMTOOL_TESTS = fileURLToPath(new URL('alerts.promtool.yaml', import.meta.url));
const PROMTOOL = goProgram('promtool');

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface PromtoolTests {
  rule_files: string[];
  tests: Array<{ name: string; alert_rule_test?: Array<{ alertname: string; exp_alerts?: unknown[] }> }>;
}

const ruleObject = parse(readFileSync(join(MONITORING, 'prometheusrule.yaml'), 'utf8')) as { spec: { groups: Array<{ name: string; rules: Rule[] }> } };
const rules = ruleObject.spec.groups.flatMap((g) => g.rules);
const exprs = rules.map((r) => r.expr).join('\n');

/** promtool in a directory holding the PrometheusRule's spec as rules.yaml, beside alerts.promtool.yaml. */
function promtool(t: Test, ...args: string[]): { code: number; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'bucket-hook-alerts-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'rules.yaml'), stringify(ruleObject.spec));
  copyFileSync(PROMTOOL_TESTS, join(dir, 'alerts.promtool.yaml'));
  try {
    return { code: 0, output: execFileSync(PROMTOOL, args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) };
  } catch (err) {
    const e = err as { status?: number; stdout?: string; stderr?: string };
    return { code: e.status ?? -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

t.test('the rules are valid and pass promtool\'s lint', async (t) => {
  const { code, output } = promtool(t, 'check', 'rules', '--lint=all', '--lint-fatal', 'rules.yaml');
  t.equal(code, 0, output);
  t.match(output, new RegExp(`SUCCESS: ${rules.length} rules found`));
});

t.test('promtool test rules: every case of alerts.promtool.yaml', async (t) => {
  const { code, output } = promtool(t, 'test', 'rules', 'alerts.promtool.yaml');
  t.equal(code, 0, output);
  t.match(output, /SUCCESS/);
});

t.test('every alert has a case where it fires and one where it does not', async (t) => {
  const cases = (parse(readFileSync(PROMTOOL_TESTS, 'utf8')) as PromtoolTests).tests.flatMap((c) => c.alert_rule_test ?? []);
  t.same(rules.map((r) => r.alert).sort(), ['BucketHookDown', 'BucketHookErrors', 'BucketHookFailureRate', 'BucketHookS3Throttled', 'BucketNotReady', 'BucketTerminal']);
  for (const rule of rules) {
    const mine = cases.filter((c) => c.alertname === rule.alert);
    t.ok(mine.some((c) => (c.exp_alerts ?? []).length > 0), `${rule.alert} fires somewhere`);
    t.ok(mine.some((c) => (c.exp_alerts ?? []).length === 0), `${rule.alert} stays quiet somewhere`);
    t.match(rule.labels, { severity: /^(warning|critical)$/ }, `${rule.alert} has a severity`);
    t.ok(rule.annotations?.summary && rule.annotations.description, `${rule.alert} says what and what to do`);
  }
});

t.test('the failing promtool case is caught: an alert that would fire later than its test says', async (t) => {
  // The harness can fail: the same tests against rules with BucketTerminal's `for` doubled.
  const dir = mkdtempSync(join(tmpdir(), 'bucket-hook-alerts-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const broken = structuredClone(ruleObject.spec);
  broken.groups.flatMap((g) => g.rules).find((r) => r.alert === 'BucketTerminal')!.for = '10m';
  writeFileSync(join(dir, 'rules.yaml'), stringify(broken));
  copyFileSync(PROMTOOL_TESTS, join(dir, 'alerts.promtool.yaml'));
  let status = 0;
  let output = '';
  try {
    execFileSync(PROMTOOL, ['test', 'rules', 'alerts.promtool.yaml'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    status = (err as { status: number }).status;
    output = `${(err as { stdout?: string }).stdout ?? ''}${(err as { stderr?: string }).stderr ?? ''}`;
  }
  t.equal(status, 1);
  t.match(output, /alertname: BucketTerminal/);
});

t.test('the hook\'s series the rules name exist, with those label values', async (t) => {
  const metrics = createMetrics({ processMetrics: false });
  const response: HookResponse = { status: { conditions: [{ type: 'ACK.Recoverable', status: 'True', reason: 'Throttled', message: '', lastTransitionTime: '' }] }, children: [] };
  metrics.reconciled('sync', response, 0.1);
  metrics.s3Request('HeadBucket', '200');
  const samples = parseSamples(await metrics.registry.metrics());
  const names = new Set(samples.map((s) => s.name));
  for (const name of exprs.match(/\bbucket_hook_[a-z0-9_]+/g) ?? []) t.ok(names.has(name), `${name} is exported`);
  t.equal(outcomeOf(response), 'recoverable');
  t.ok(samples.some((s) => s.labels.outcome === 'error'), 'outcome="error" is exported (at 0 before any error)');
  // Every code of the throttling alert is one the hook classifies as throttling, including the names it
  // gives to bodiless 429 and 503 answers.
  const codes = /result=~"([^"]+)"/.exec(rules.find((r) => r.alert === 'BucketHookS3Throttled')!.expr)![1]!.split('|');
  for (const code of codes) t.equal(classify('HeadBucket', Object.assign(new Error(code), { name: code })).kind, 'throttled', code);
  for (const status of [429, 503]) {
    const bodiless = classify('HeadBucket', Object.assign(new Error(''), { name: 'Unknown', $metadata: { httpStatusCode: status } }));
    t.equal(bodiless.kind, 'throttled');
    t.ok(codes.includes(bodiless.code), `${status} is named ${bodiless.code}, which the alert counts`);
  }
});

t.test('the Bucket series the rules name are those custom-resource-state.yaml configures', async (t) => {
  interface KsmConfig {
    spec: { resources: Array<{ groupVersionKind: Record<string, string>; metricNamePrefix: string; labelsFromPath: Record<string, string[]>; metrics: Array<{ name: string; each: { gauge?: { labelsFromPath: Record<string, string[]> } } }> }> };
  }
  const config = parse(readFileSync(join(MONITORING, 'custom-resource-state.yaml'), 'utf8')) as KsmConfig;
  const [bucket] = config.spec.resources;
  t.same(bucket!.groupVersionKind, { group: 's3.services.k8s.aws', version: 'v1alpha1', kind: 'Bucket' });
  const configured = new Set(bucket!.metrics.map((m) => `${bucket!.metricNamePrefix}_${m.name}`));
  const named = new Set(exprs.match(/\bkube_s3_bucket_[a-z0-9_]+/g));
  t.same([...named].sort(), [...configured].sort(), 'every configured series is alerted on, and no other');
  t.same(Object.keys(bucket!.labelsFromPath).sort(), ['name', 'namespace']);
  t.same(Object.keys(bucket!.metrics.find((m) => m.name === 'status_condition')!.each.gauge!.labelsFromPath).sort(), ['reason', 'type']);
});
