#!/usr/bin/env bash
# `npm test`: lint, typecheck, then every tap suite. The RGW suites need the real S3 server: this script
# starts Ceph RGW on loopback twice, once per region that behaves differently (installing its Debian
# packages when missing, as root), runs the tests against them and stops them again. An RGW that was
# already running with the same region is reused and left running.
#   us-east-1 (127.0.0.1:7480): every suite, with coverage. AWS's default region and most S3-compatible
#                               stores': CreateBucket sends no LocationConstraint there.
#   eu-west-1 (127.0.0.1:7490): the RGW suites again (RGW_SUITES below), with a LocationConstraint.
#   The cluster suite (test/cluster): a real etcd, kube-apiserver and kube-controller-manager built from Go
#   modules (test/cluster/build.sh, once per machine) on loopback, the project installed with kubectl, the
#   hook as a process and the Metacontroller stand-in, against both RGWs; its files run one at a time.
#   SKIP_INTEGRATION=1 npm test   runs everything but the RGW and cluster suites (for machines without root).
#   SKIP_CLUSTER=1 npm test       runs everything but the cluster suite (for machines without Go); says so.
#   npm run bench                 (argument "bench") runs the benchmarks instead of the tests: both RGWs, and the
#                                 bench's own control plane (/tmp/bucket-hook-cluster-bench, ports 16840-16844),
#                                 started and stopped here; BENCH_CLUSTER=0 runs without it (and without Go).
#   npm run test:long             (argument "long") runs test/long instead: 100 buckets under S3 faults,
#                                 30,000 fuzz cases, a 10-minute soak, IAM role sessions that really expire
#                                 on RGW (about 15 minutes in all).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-test}

if [ "$mode" = test ]; then
  echo "== lint" >&2
  npx eslint .
  echo "== typecheck" >&2
  npx tsc -p . --noEmit
  # Every program built from Go modules, once per machine (test/cluster/build.sh; cached afterwards): helm
  # and promtool for test/manifests (the chart, the alerts), the control plane, kstatus, luahealth and
  # kube-state-metrics for test/cluster. Here, so that no test file waits for a build. A failure is build.sh's
  # one-line reason, and the tests that need the program then fail saying what to run.
  if [ "${SKIP_CLUSTER:-}" != 1 ]; then
    echo "== Go programs: the control plane, helm, promtool, kube-state-metrics, kstatus, luahealth (test/cluster/build.sh)" >&2
    bash test/cluster/build.sh >/dev/null || echo "== could not build every Go program (above): the tests that run them will fail" >&2
  fi
fi

suites=(test/unit test/http test/manifests test/reliability)
if [ "${SKIP_CLUSTER:-}" = 1 ]; then
  # No Go: the tests of programs built from Go modules (helm, promtool) go with the cluster suite.
  echo "== SKIP_CLUSTER=1: NOT running test/manifests/chart.test.ts and alerts.test.ts (they need helm and promtool, built from Go modules)" >&2
  suites=(test/unit test/http test/reliability)
  for f in test/manifests/*.test.ts; do
    case $f in test/manifests/chart.test.ts | test/manifests/alerts.test.ts) ;; *) suites+=("$f") ;; esac
  done
fi
# The suites that talk to RGW, run once per region.
RGW_SUITES=(test/integration test/reliability/faults.test.ts test/reliability/finalize-safety.test.ts test/reliability/replicas.test.ts test/reliability/crash.test.ts)
# region:port:state dir. The first is also where bench and test:long run.
REGIONS=("us-east-1:7480:/tmp/bucket-hook-rgw" "eu-west-1:7490:/tmp/bucket-hook-rgw-eu-west-1")
[ "$mode" = long ] && REGIONS=("${REGIONS[0]}")

started=()
cluster_started=0
rgw() { # rgw REGION:PORT:DIR COMMAND
  local region port dir
  IFS=: read -r region port dir <<<"$1"
  RGW_REGION=$region RGW_PORT=$port RGW_DIR=$dir bash test/rgw/rgw.sh "$2"
}
# The test control plane: its own state dir and ports, so `npm run cluster:up` (.cluster, ports 16440-16444) can run beside it.
CLUSTER_TEST=(CLUSTER_DIR=/tmp/bucket-hook-cluster-test CLUSTER_PORT_BASE=16540)
[ "$mode" = bench ] && CLUSTER_TEST=(CLUSTER_DIR=/tmp/bucket-hook-cluster-bench CLUSTER_PORT_BASE=16840)
stop_all() {
  local r
  [ "$cluster_started" = 1 ] && env "${CLUSTER_TEST[@]}" bash test/cluster/control-plane.sh down >&2 || true
  for r in "${started[@]}"; do rgw "$r" stop >&2 || true; done
}
trap stop_all EXIT
envfiles=()
integration=0
if [ "${SKIP_INTEGRATION:-}" != 1 ] || [ "$mode" = bench ] || [ "$mode" = long ]; then
  integration=1
  for r in "${REGIONS[@]}"; do
    if ! rgw "$r" status >/dev/null 2>&1; then
      echo "== starting Ceph RGW (${r%%:*})" >&2
      rgw "$r" start >&2
      started+=("$r")
    fi
    envfiles+=("$(rgw "$r" status | tail -n 1)")
  done
else
  echo "== SKIP_INTEGRATION=1: not running the suites that need Ceph RGW" >&2
fi
with_region() { # with_region ENVFILE COMMAND...: the command with that RGW's S3_TEST_* variables
  local file=$1
  shift
  (
    set -a
    # shellcheck disable=SC1090
    . "$file"
    set +a
    "$@"
  )
}

if [ "$mode" = bench ]; then
  if [ "${BENCH_CLUSTER:-1}" != 0 ]; then
    echo "== starting the bench's control plane (etcd, kube-apiserver, kube-controller-manager; built from Go modules when missing)" >&2
    cluster_env=$(env "${CLUSTER_TEST[@]}" bash test/cluster/control-plane.sh up) || { echo "the bench's control plane could not start: see the line above (BENCH_CLUSTER=0 runs the bench without it)" >&2; exit 2; }
    cluster_started=1
    export CLUSTER_ENV=$cluster_env RGW_ENV_FILES="${envfiles[0]}:${envfiles[1]}"
  fi
  started_at=$SECONDS
  status=0
  with_region "${envfiles[0]}" npx tsx test/bench/run.ts || status=$?
  echo "== npm run bench took $(((SECONDS - started_at) / 60)) min" >&2
  exit "$status"
fi

totals_passed=0
totals_failed=0
status=0
# run_tap LABEL ENVFILE|- TAP-ARGS...: one tap run, its "N passed, N failed" line, added to the totals.
run_tap() {
  local label=$1 file=$2
  shift 2
  echo "== tap ($label) $*" >&2
  local log rc=0
  log=$(mktemp)
  if [ "$file" = - ]; then npx tap "$@" 2>&1 | tee "$log" || rc=$?; else with_region "$file" npx tap "$@" 2>&1 | tee "$log" || rc=$?; fi
  local summary passed failed
  summary=$(grep -E '^# \{ total: [0-9]+' "$log" | tail -n 1 || true)
  passed=$(sed -nE 's/.*pass: ([0-9]+).*/\1/p' <<<"$summary")
  failed=$(sed -nE 's/.*fail: ([0-9]+).*/\1/p' <<<"$summary")
  rm -f "$log"
  echo "$label: ${passed:-0} passed, ${failed:-0} failed" >&2
  totals_passed=$((totals_passed + ${passed:-0}))
  totals_failed=$((totals_failed + ${failed:-0}))
  if [ "$rc" != 0 ]; then status=$rc; fi
}

if [ "$mode" = long ]; then
  # One file at a time: the soak measures memory and the fault run answer times.
  run_tap "long, ${REGIONS[0]%%:*}" "${envfiles[0]}" --jobs=1 test/long
elif [ "$integration" = 1 ]; then
  run_tap "all suites, RGW in ${REGIONS[0]%%:*}" "${envfiles[0]}" "${suites[@]}" test/integration
  npx tap report text --show-full-coverage >.tap/report/coverage.txt 2>/dev/null &&
    echo "== per-file coverage of src/: .tap/report/coverage.txt" >&2 || true
  run_tap "RGW suites, RGW in ${REGIONS[1]%%:*}" "${envfiles[1]}" --disable-coverage "${RGW_SUITES[@]}"
  if [ "${SKIP_CLUSTER:-}" = 1 ]; then
    echo "== SKIP_CLUSTER=1: NOT running the cluster suite (test/cluster): nothing was checked against a real API server" >&2
  else
    echo "== starting the test control plane (etcd, kube-apiserver, kube-controller-manager; built from Go modules when missing)" >&2
    cluster_env=$(env "${CLUSTER_TEST[@]}" bash test/cluster/control-plane.sh up) || { echo "the cluster suite could not start: see the line above" >&2; exit 2; }
    cluster_started=1
    CLUSTER_ENV=$cluster_env RGW_ENV_FILES="${envfiles[0]}:${envfiles[1]}" run_tap "cluster suite, real API server" "${envfiles[0]}" --disable-coverage --jobs=1 --timeout=900 test/cluster/*.test.ts
  fi
else
  offline=()
  for f in test/unit test/http test/manifests test/reliability/*.test.ts; do
    [[ " ${RGW_SUITES[*]} " == *" $f "* ]] || offline+=("$f")
  done
  # The coverage gate counts the RGW suites' share: without them it is reported, not enforced.
  run_tap "without RGW" - --allow-incomplete-coverage "${offline[@]}"
fi
# One plain closing line for CI readers: "N passed, N failed".
echo "$totals_passed passed, $totals_failed failed"
exit "$status"
