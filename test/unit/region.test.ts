// Which regions a Bucket may name: AWS's region names, or the admin's ALLOWED_REGIONS list; the hook's
// default region always. A refused region is InvalidSpec before any S3 client exists for it.
import t from 'tap';
import { finalize, sync } from '../support/core.js';
import { regionProblem } from '../../src/reconciler/rules/region.js';
import type { S3PortFactory } from '../../src/s3/port.js';
import { testDeps } from '../support/deps.js';
import { bucketResource } from '../support/envelope.js';
import { FakeS3 } from '../support/fake-s3.js';

const rules = { region: 'eu-west-1' };

t.test('AWS region names pass, anything else is refused with the value and the way out', async (t) => {
  for (const ok of ['us-east-1', 'eu-central-2', 'ap-southeast-5', 'us-gov-west-1', 'us-isob-east-1', 'cn-northwest-1', 'il-central-1', 'mx-central-1']) {
    t.equal(regionProblem(ok, rules), undefined, ok);
  }
  for (const bad of ['', 'default', 'EU-WEST-1', 'eu-west', 'eu_west_1', '../../etc', 'eu-west-1 ', 'a-b-1', `zz-${'a'.repeat(40)}-1`, 'x'.repeat(5000)]) {
    t.match(regionProblem(bad, rules), /which is not an AWS region name .*remove it to use eu-west-1/, JSON.stringify(bad.slice(0, 20)));
  }
  t.ok((regionProblem('x'.repeat(5000), rules) ?? '').length < 200, 'a huge value is not echoed whole');
  t.equal(regionProblem('default', { region: 'default' }), undefined, "the hook's own default region, whatever it looks like (stock RGW)");
});

t.test('ALLOWED_REGIONS: only those (and the default), listed in the message', async (t) => {
  const admin = { region: 'eu-west-1', allowedRegions: ['us-east-1', 'garage'] };
  t.equal(regionProblem('garage', admin), undefined);
  t.equal(regionProblem('eu-west-1', admin), undefined);
  t.equal(
    regionProblem('us-west-2', admin),
    'is "us-west-2", which is not a region this hook serves (allowed: eu-west-1, us-east-1, garage); ask the cluster admin, or remove it to use eu-west-1',
  );
});

/** Counts the regions a factory is asked for: a refused region must never reach it. */
function counting(fake: FakeS3): { factory: S3PortFactory; regions: string[] } {
  const regions: string[] = [];
  return { regions, factory: (region) => (regions.push(region), fake.port(region)) };
}

t.test('sync: a refused region annotation is InvalidSpec, and no port is asked for', async (t) => {
  const fake = new FakeS3();
  const { factory, regions } = counting(fake);
  const res = await sync(bucketResource({ spec: { name: 'team-a-logs-1f2e' }, annotations: { 'services.k8s.aws/region': 'mars-1' } }), testDeps(factory));
  const terminal = res.status.conditions?.find((c) => c.type === 'ACK.Terminal');
  t.equal(terminal?.reason, 'InvalidSpec');
  t.equal(
    terminal?.message,
    'metadata.annotations["services.k8s.aws/region"] is "mars-1", which is not an AWS region name (such as eu-west-1 or us-gov-west-1); remove it to use eu-west-1. Fix the Bucket resource; nothing was sent to S3.',
  );
  t.same(regions, []);
  t.same(fake.calls, []);
});

t.test('sync: a location constraint in the spec is held to the same rule', async (t) => {
  const fake = new FakeS3();
  const { factory, regions } = counting(fake);
  const res = await sync(bucketResource({ spec: { name: 'team-a-logs-1f2e', createBucketConfiguration: { locationConstraint: 'x-1' } } }), testDeps(factory));
  t.match(res.status.conditions?.[0]?.message, /^spec\.createBucketConfiguration\.locationConstraint is "x-1", which is not an AWS region name/);
  t.same(regions, []);
});

t.test('finalize: a region the hook does not serve lets the resource go and touches no S3', async (t) => {
  const fake = new FakeS3();
  const { factory, regions } = counting(fake);
  const res = await finalize(
    bucketResource({ spec: { name: 'team-a-logs-1f2e' }, annotations: { 'services.k8s.aws/region': 'mars-1' }, deletionTimestamp: '2026-11-24T10:00:00Z' }),
    testDeps(factory),
  );
  t.equal(res.finalized, true);
  t.equal(res.status.conditions?.find((c) => c.type === 'Ready')?.reason, 'LeftInPlace');
  t.match(res.status.conditions?.find((c) => c.type === 'Ready')?.message, /any bucket in that region was left untouched/);
  t.same(regions, []);
});
