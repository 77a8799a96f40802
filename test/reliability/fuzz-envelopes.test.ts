// Bad input: 3,000 fuzzed envelopes and specs through the HTTP edge, bounded by that count and run from a
// fixed seed (FUZZ_SEED to try another), so the default run is the same every time. test/long runs 30,000
// from a fresh seed each time, and checks how long the slowest case took.
import t from 'tap';
import { runEnvelopeFuzz } from '../fuzz/envelopes.js';

const SEED = 20261124;

t.test('fuzzed envelopes and specs: never a 5xx; 4xx {code, message} for malformed; InvalidSpec names the field', async (t) => {
  const report = await runEnvelopeFuzz(Number(process.env.FUZZ_RUNS ?? 3000), Number(process.env.FUZZ_SEED ?? SEED));
  t.comment(`fuzz: ${report.runs} cases, seed ${report.seed} (FUZZ_SEED=${report.seed} replays), by HTTP code ${JSON.stringify(report.byCode)}`);
  t.comment(`fuzz: by kind ${JSON.stringify(report.byKind)}`);
  t.notOk(report.byCode['500'], 'no 5xx');
  t.equal(
    Object.values(report.byKind).reduce((a, b) => a + b, 0),
    report.runs,
    `all ${report.runs} cases ran`,
  );
  t.ok((report.byCode['200'] ?? 0) > report.runs / 4, 'a good share of the cases reached the reconciler');
  t.ok((report.byCode['400'] ?? 0) > 0 && (report.byCode['422'] ?? 0) > 0, 'and malformed ones were refused (400 and 422)');
});
