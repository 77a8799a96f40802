// The tuned S3 client against the real S3 server (Ceph RGW, in the region of the env file): the same port
// calls (test/support/wire-script.ts) through a stock S3Client and through the tuned one, on the same
// bucket one after the other, recorded on their way to RGW, must be the same requests (method, path and
// query as sent, every header but the signature, the dates and the invocation id, the body) and get the
// same answers from it (test/unit/sdk-wire.test.ts does the same against a loopback S3).
import t from 'tap';
import { rgwEnv, uniqueBucket } from '../support/rgw.js';
import { comparable, startWireRecorder } from '../support/wire-recorder.js';
import { cleanUp, runScript, stockPort, tunedPort } from '../support/wire-script.js';

t.test(`stock and tuned clients send RGW (${rgwEnv().region}) the same requests and read the same answers`, async (t) => {
  const env = rgwEnv();
  const recorder = await startWireRecorder({ upstream: env.endpoint });
  t.teardown(() => recorder.close());
  const bucket = uniqueBucket('wire');
  const settings = { region: env.region, endpoint: recorder.url, forcePathStyle: true, credentials: env.hook, maxAttempts: 1 };
  const stock = stockPort(settings);
  const tuned = tunedPort(settings);
  t.teardown(async () => {
    await cleanUp(stock.port, bucket);
    stock.sender.destroy();
    tuned.sender.destroy();
  });

  const stockSteps = await runScript(stock.port, bucket, env.region);
  const stockRequests = recorder.requests.splice(0);
  const tunedSteps = await runScript(tuned.port, bucket, env.region);
  const tunedRequests = recorder.requests.splice(0);

  const outcome = (step: string): string | undefined => stockSteps.find((s) => s.step === step)?.outcome;
  t.equal(outcome('CreateBucket'), 'ok undefined', 'RGW created the bucket');
  t.equal(outcome('HeadBucket'), 'ok {"kind":"present"}');
  t.equal(outcome('get versioning'), 'ok {"status":"Enabled"}', 'RGW answered what was written');
  t.equal(outcome('DeleteBucket'), 'ok undefined', 'and deleted it');
  t.same(tunedSteps, stockSteps, 'the same outcomes, step for step');
  t.equal(tunedRequests.length, stockRequests.length, `the same number of requests (${stockRequests.length})`);
  for (let i = 0; i < stockRequests.length; i++) {
    t.same(comparable(tunedRequests[i]!), comparable(stockRequests[i]!), `request ${i + 1}: ${stockRequests[i]!.method} ${stockRequests[i]!.url}`);
  }
});
