// The soak's assertions, shared by the normal (30 s) and the long (10 min) suites.
import type { Test } from 'tap';
import type { SoakReport } from './soak-run.js';

const fmt = (s: { rssMb: number; heapMb: number; handles: number }) => `rss ${s.rssMb.toFixed(1)} MB, heap ${s.heapMb.toFixed(1)} MB, ${s.handles} handles`;

export function assertSoak(t: Test, r: SoakReport, limits = { rssGrowthMb: 30, heapGrowthMb: 10 }): void {
  t.comment(`soak: ${r.requests} requests, by code ${JSON.stringify(r.byCode)}, by action ${JSON.stringify(r.byAction)}`);
  t.comment(
    `soak: before load ${fmt(r.before)}; after warm-up ${fmt(r.warm)}; end ${fmt(r.end)}; closed ${fmt(r.closed)}; peak rss ${r.peakRssMb.toFixed(1)} MB`,
  );
  t.comment(`soak: ${r.samples} samples after warm-up; median of the first quarter ${fmt(r.early)}; of the last quarter ${fmt(r.late)}`);
  t.comment(`soak: handles after warm-up ${JSON.stringify(r.handleTypes.warm)}, at the end ${JSON.stringify(r.handleTypes.end)}`);
  t.notOk(
    Object.keys(r.byCode).some((c) => Number(c) >= 500),
    'no 5xx',
  );
  t.ok((r.byCode['200'] ?? 0) > r.requests * 0.8, 'most requests were served 200');
  t.ok((r.byCode['400'] ?? 0) > 0, 'the bad input was refused 4xx');
  t.ok(r.samples >= 8, `enough samples (${r.samples})`);
  t.ok(
    r.late.rssMb - r.early.rssMb < limits.rssGrowthMb,
    `RSS growth after warm-up (last quarter vs first, medians) ${(r.late.rssMb - r.early.rssMb).toFixed(1)} MB < ${limits.rssGrowthMb} MB`,
  );
  t.ok(
    r.late.heapMb - r.early.heapMb < limits.heapGrowthMb,
    `heap growth after warm-up ${(r.late.heapMb - r.early.heapMb).toFixed(1)} MB < ${limits.heapGrowthMb} MB`,
  );
  t.ok(r.end.handles <= r.warm.handles + 2, `open handles at the end (${r.end.handles}) as after warm-up (${r.warm.handles})`);
  t.ok(r.closed.handles <= r.before.handles, `handles back to the baseline once closed (${r.closed.handles} <= ${r.before.handles})`);
}
