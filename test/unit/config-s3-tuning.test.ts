// S3_CLIENT_TUNING: the S3 client's tuning on by default, off on request, anything else a one-line problem.
import t from 'tap';
import { parseConfig } from '../../src/config.js';
import { configProblems } from '../support/config-problems.js';

const problems = configProblems;

t.test('S3_CLIENT_TUNING: on by default, on and off in any case, anything else names the value', async (t) => {
  t.equal(parseConfig({ AWS_REGION: 'eu-west-1' }).s3ClientTuning, true);
  t.equal(parseConfig({ AWS_REGION: 'eu-west-1', S3_CLIENT_TUNING: 'on' }).s3ClientTuning, true);
  t.equal(parseConfig({ AWS_REGION: 'eu-west-1', S3_CLIENT_TUNING: 'off' }).s3ClientTuning, false);
  t.equal(parseConfig({ AWS_REGION: 'eu-west-1', S3_CLIENT_TUNING: 'OFF' }).s3ClientTuning, false);
  t.same(problems({ S3_CLIENT_TUNING: 'false' }), ['S3_CLIENT_TUNING="false" must be on or off (off: stock S3 clients, without the hook\'s client tuning)']);
});
