import t from 'tap';
import { bucketNameProblem } from '../../src/reconciler/rules/bucket-name.js';

const cases: Array<[string, string | undefined]> = [
  ['team-a-artifacts-7f3c', undefined],
  ['abc', undefined],
  ['a.b-c1', undefined],
  ['x'.repeat(63), undefined],
  ['my-bucket--usw2-az1--x-s3', undefined],
  ['ab', 'must be 3 to 63 characters long (it has 2)'],
  ['x'.repeat(64), 'must be 3 to 63 characters long (it has 64)'],
  ['Team-A', 'may contain only lowercase letters, digits, dots (.) and hyphens (-)'],
  ['team_a', 'may contain only lowercase letters, digits, dots (.) and hyphens (-)'],
  ['-team', 'must begin and end with a lowercase letter or a digit'],
  ['team.', 'must begin and end with a lowercase letter or a digit'],
  ['a..b', 'must not contain two adjacent dots'],
  ['a.-b', 'must not contain a dot next to a hyphen'],
  ['192.168.5.4', 'must not be formatted as an IP address'],
  ['xn--bucket', 'must not start with the reserved prefix "xn--"'],
  ['sthree-bucket', 'must not start with the reserved prefix "sthree-"'],
  ['bucket-s3alias', 'must not end with the reserved suffix "-s3alias"'],
  ['bucket--ol-s3', 'must not end with the reserved suffix "--ol-s3"'],
];

for (const [name, want] of cases) {
  t.equal(bucketNameProblem(name), want, `${name.length > 20 ? `${name.slice(0, 20)}…` : name}`);
}
