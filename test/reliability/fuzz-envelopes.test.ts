// Bad input: 3,000 fuzzed envelopes and specs through the HTTP edge (30,000 in test/long).
import t from 'tap';
import { runEnvelopeFuzz } from '../fuzz/envelopes.js';

t.test('fuzzed envelopes and specs: never a 5xx; 4xx {code, message} for malformed; InvalidSpec names the field', async (t) => {
  const report = await runEnvelopeFuzz(Number(process.env.FUZZ_RUNS ?? 3000));
  t.comment(`fuzz: ${report.runs} cases, seed ${report.seed} (FUZZ_SEED=${report.seed} replays), by HTTP code ${JSON.stringify(report.byCode)}`);
  t.comment(`fuzz: by kind ${JSON.stringify(report.byKind)}; slowest ${report.slowestMs.toFixed(1)} ms (${report.slowestKind})`);
  t.notOk(report.byCode['500'], 'no 5xx');
  t.ok((report.byCode['200'] ?? 0) > report.runs / 4, 'a good share of the cases reached the reconciler');
  t.ok(report.slowestMs < 2000, `no case took long (slowest ${report.slowestMs.toFixed(1)} ms)`);
});
