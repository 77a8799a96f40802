#!/usr/bin/env bash
# `npm test`: lint, typecheck, then every tap suite. The integration suite needs the real S3 server:
# this script starts Ceph RGW on loopback (installing its Debian packages when missing, as root), runs
# the tests against it and stops it again. An RGW that was already running is reused and left running.
#   SKIP_INTEGRATION=1 npm test   runs everything but the RGW suites (for machines without root).
#   npm run bench                 (argument "bench") runs the benchmarks instead of the tests.
#   npm run test:long             (argument "long") runs test/long instead: 100 buckets under S3 faults,
#                                 30,000 fuzz cases, a 10-minute soak (about 15 minutes in all).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-test}

if [ "$mode" = test ]; then
  echo "== lint" >&2
  npx eslint .
  echo "== typecheck" >&2
  npx tsc -p . --noEmit
fi

suites=(test/unit test/http test/manifests test/reliability)
started=0
stop_rgw() { if [ "$started" = 1 ]; then bash test/rgw/rgw.sh stop >&2 || true; fi; }
trap stop_rgw EXIT
if [ "${SKIP_INTEGRATION:-}" != 1 ] || [ "$mode" = bench ] || [ "$mode" = long ]; then
  if ! bash test/rgw/rgw.sh status >/dev/null 2>&1; then
    echo "== starting Ceph RGW" >&2
    bash test/rgw/rgw.sh start >&2
    started=1
  fi
  envfile=$(bash test/rgw/rgw.sh status | tail -n 1)
  set -a
  # shellcheck disable=SC1090
  . "$envfile"
  set +a
  suites+=(test/integration)
else
  echo "== SKIP_INTEGRATION=1: not running the suites that need Ceph RGW" >&2
fi

if [ "$mode" = bench ]; then
  npx tsx test/bench/run.ts
  exit 0
fi
# One file at a time: the soak measures memory and the fault run answer times.
if [ "$mode" = long ]; then suites=(--jobs=1 test/long); fi
echo "== tap ${suites[*]}" >&2
log=$(mktemp)
status=0
npx tap "${suites[@]}" 2>&1 | tee "$log" || status=$?
# One plain closing line for CI readers: "N passed, N failed".
summary=$(grep -E '^# \{ total: [0-9]+' "$log" | tail -n 1 || true)
passed=$(sed -nE 's/.*pass: ([0-9]+).*/\1/p' <<<"$summary")
failed=$(sed -nE 's/.*fail: ([0-9]+).*/\1/p' <<<"$summary")
rm -f "$log"
echo "${passed:-0} passed, ${failed:-0} failed"
exit "$status"
