// The call counts of a create: the S3 calls one created Bucket costs, through the real app over the FakeS3
// stand-in, for an endpoint that honours tags at create (AWS) and for one that refuses them (RGW in
// us-east-1), as Metacontroller drives it: syncs until Ready (the reservation first where tags are not
// honoured), then the echo of the last status write. The fleet run counts the same on the real RGW.
import type { HookResponse } from '../../src/reconciler/model/resource.js';
import { bucketResource, envelope } from '../support/envelope.js';
import { testApp } from '../support/app.js';
import { FakeS3, type FakeCreateTags } from '../support/fake-s3.js';
import type { Figure } from './report.js';

/** The fleet's spec: versioning and one tag. */
export function fleetSpec(name: string): Record<string, unknown> {
  return { name, versioning: { status: 'Enabled' }, tagging: { tagSet: [{ key: 'bench', value: 'fleet' }] } };
}

export async function createCalls(createTags: FakeCreateTags): Promise<string[]> {
  const s3 = new FakeS3('me', createTags);
  const app = testApp(s3.factory(), { region: 'us-east-1' });
  try {
    const uid = '0a0a0a0a-1111-4222-8333-666666666666';
    const spec = fleetSpec('bench-create-calls');
    let status: HookResponse['status'] | undefined;
    for (let sync = 0; sync < 4; sync++) {
      const res = await app.inject({
        method: 'POST',
        url: '/sync',
        payload: envelope(bucketResource({ uid, spec, ...(status ? { status, keepLastCheck: true } : {}) })),
      });
      if (res.statusCode !== 200) throw new Error(`hook answered ${res.statusCode}: ${res.body}`);
      const answer = res.json<HookResponse>();
      const ready = answer.status.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
      const settled = status !== undefined && JSON.stringify(answer.status) === JSON.stringify(status);
      status = answer.status;
      if (ready && settled) return [...s3.calls];
    }
    throw new Error(`not Ready and settled after 4 syncs (${createTags}): ${JSON.stringify(status)}`);
  } finally {
    await app.close();
  }
}

export async function createCallFigures(): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const [createTags, store] of [
    ['honoured', 'AWS-like (tags honoured at create)'],
    ['refused', 'RGW-like (tags refused at create, us-east-1)'],
  ] as const) {
    const calls = await createCalls(createTags);
    figures.push({ id: 'calls', figure: `S3 calls per created Bucket, ${store}; stand-in`, value: `${calls.length}: ${calls.join(', ')}` });
  }
  return figures;
}
