#!/usr/bin/env bash
# Bring up (or stop) a throw-away Ceph RADOS Gateway on 127.0.0.1 for the
# integration tests: one ceph-mon, one memstore ceph-osd, one radosgw.
#
#   bash test/rgw/rgw.sh start    # idempotent; prints the env file path last on stdout
#   bash test/rgw/rgw.sh status   # exit 0 + env file path if up, else exit 1
#   bash test/rgw/rgw.sh stop     # TERM then KILL by PID; safe when nothing runs
#
# Environment:
#   RGW_DIR      state dir (default /tmp/bucket-hook-rgw); wiped on every fresh start
#   RGW_PORT     S3 port (default 7480)
#   RGW_REGION   zonegroup api_name = the only CreateBucket LocationConstraint
#                RGW accepts, and the region clients should sign for
#                (default us-east-1, AWS's default; test/run.sh also starts
#                one in eu-west-1 on port 7490)
#   RGW_MON_PORT monitor port (default RGW_PORT+1, so that two clusters with
#                different RGW_PORT/RGW_DIR do not fight over Ceph's usual 6789)
#   RGW_START_TIMEOUT  seconds to wait for the daemons on a fresh start (120)
#
# The env file ($RGW_DIR/env) holds plain KEY=value lines: S3_TEST_ENDPOINT,
# S3_TEST_REGION, S3_TEST_ACCESS_KEY, S3_TEST_SECRET_KEY, S3_TEST_OTHER_ACCESS_KEY,
# S3_TEST_OTHER_SECRET_KEY, S3_TEST_USER_ID, S3_TEST_OTHER_USER_ID; for STS (AssumeRole on the S3 port)
# S3_TEST_STS_ENDPOINT, S3_TEST_ROLE_A_ARN, S3_TEST_ROLE_B_ARN (the hook user may assume them; each may
# use only buckets named team-a-* / team-b-*), S3_TEST_ROLE_UNTRUSTED_ARN (trusts the other user only),
# and S3_TEST_RGW_ADMIN_SOCKET (radosgw's admin socket, for `ceph daemon ... config set`).
#
# `stop` leaves the state dir in place (logs stay readable for post-mortems) but
# removes the env file, so a stale env file never points at a dead server. The
# next `start` wipes the dir. Objects live in the OSD's RAM (memstore): nothing
# survives a stop. A lock file "$RGW_DIR.lock" serialises concurrent callers.
#
# Needs root (apt-get, Ceph daemons). The settings below were measured on Debian 12 with
# radosgw 16.2.15; each says why next to it.
#
# Do not wrap `start` in `timeout`: it signals its whole process group, which
# killed the daemons of earlier hand-made versions of this recipe. Here the
# daemons get their own session (setsid) and survive that, and a start that was
# interrupted half-way is cleaned up (by PID) by the next start, but there is
# no reason to rely on it: the start-up bounds its own waits (RGW_START_TIMEOUT).
set -euo pipefail

RGW_DIR=${RGW_DIR:-/tmp/bucket-hook-rgw}
RGW_PORT=${RGW_PORT:-7480}
RGW_REGION=${RGW_REGION:-us-east-1}
RGW_MON_PORT=${RGW_MON_PORT:-$((RGW_PORT + 1))}
START_TIMEOUT=${RGW_START_TIMEOUT:-120}

CONF="$RGW_DIR/ceph.conf"
ENV_FILE="$RGW_DIR/env"
MARKER="$RGW_DIR/.bucket-hook-rgw"
# The lock lives beside the dir, not in it, because a fresh start wipes the dir.
LOCK_FILE="${RGW_DIR%/}.lock"
RGW_NAME=client.rgw.hook
ENDPOINT="http://127.0.0.1:$RGW_PORT"

# Fixed test credentials. Shaped like AWS keys (20-char access key, 40-char
# secret) so SDK-side validation never trips over them.
HOOK_USER=hook
HOOK_ACCESS_KEY=HOOKTESTACCESSKEY001
HOOK_SECRET_KEY=hookTestSecretKey00000000000000000000001
OTHER_USER=other
OTHER_ACCESS_KEY=OTHERTESTACCESSKEY01
OTHER_SECRET_KEY=otherTestSecretKey0000000000000000000001
# STS: the key RGW encrypts session tokens with (16 characters), and the roles the hook user may assume.
STS_KEY=bucketHookSts16c

DAEMONS=(radosgw osd mon) # stop order; start order is the reverse

log() { printf 'rgw: %s\n' "$*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}

# Ceph client commands. `timeout` is fine here: these are short-lived clients,
# not daemons, and a monitor that is not up yet would otherwise make them hang.
ceph_() { timeout 30 ceph -c "$CONF" --connect-timeout 10 "$@"; }
rgwadmin() { timeout 90 radosgw-admin -c "$CONF" "$@"; }

pid_of() {
  local f="$RGW_DIR/$1.pid" pid
  [[ -r $f ]] || return 1
  pid=$(<"$f")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  # Only trust the PID if it still belongs to a daemon of *this* cluster: its
  # command line names our ceph.conf. Guards against PID reuse after a reboot.
  # A zombie (exited, not yet reaped) has an empty cmdline and counts as dead.
  local cmdline
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ $cmdline == *" $CONF "* ]] || return 1
  printf '%s\n' "$pid"
}

alive() { pid_of "$1" >/dev/null; }

http_answers() {
  # Any HTTP status means the S3 frontend is serving (anonymous GET / is 200).
  local code
  code=$(curl -s -o /dev/null -m 3 -w '%{http_code}' "$ENDPOINT/" 2>/dev/null) || true
  [[ -n $code && $code != 000 ]]
}

port_busy() {
  # bash's /dev/tcp: connect succeeds only if something listens there.
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

is_up() {
  [[ -f $ENV_FILE ]] && alive mon && alive osd && alive radosgw && http_answers
}

# Start a daemon detached from this script: own session (setsid), immune to
# SIGHUP (nohup), stdin from /dev/null, the start lock's fd 9 closed so a
# long-lived daemon never holds the lock. The inner shell records its own PID
# and then execs the daemon, so the PID file holds the daemon's real PID.
spawn() {
  local name=$1
  shift
  log "starting $name"
  # shellcheck disable=SC2016 # expanded by the inner shell, on purpose
  setsid nohup bash -c 'echo $$ >"$0"; exec "$@"' "$RGW_DIR/$name.pid" "$@" \
    </dev/null >>"$RGW_DIR/log/$name.out" 2>&1 9>&- &
  # Wait (briefly) for the PID file so callers can rely on it.
  local i
  for ((i = 0; i < 50; i++)); do
    [[ -s $RGW_DIR/$name.pid ]] && return 0
    sleep 0.1
  done
  die "$name did not start"
}

deadline=0
time_left() { ((SECONDS < deadline)); }

dump_logs() {
  local f
  for f in "$RGW_DIR"/log/*; do
    [[ -f $f ]] || continue
    log "---- tail of $f"
    tail -n 30 "$f" | sed 's/^/rgw:   /' >&2 || true
  done
}

fail_start() {
  log "ERROR: $*"
  dump_logs
  exit 1
}

install_packages() {
  if command -v radosgw >/dev/null && command -v ceph-mon >/dev/null &&
    command -v ceph-osd >/dev/null; then
    return 0
  fi
  log "installing radosgw ceph-mon ceph-osd (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -q update >&2
  apt-get -q install -y --no-install-recommends radosgw ceph-mon ceph-osd >&2
}

write_conf() {
  local fsid=$1
  cat >"$CONF" <<EOF
[global]
fsid = $fsid
# Single-host, single-daemon toy cluster on loopback: no cephx (nothing to
# protect, and no key distribution to get wrong).
auth cluster required = none
auth service required = none
auth client required = none
# msgr v1 only, IPv4 only, loopback only: one address per daemon, nothing
# reachable from outside the machine.
ms bind msgr2 = false
ms bind ipv6 = false
mon host = v1:127.0.0.1:$RGW_MON_PORT
mon initial members = a
public network = 127.0.0.0/8
# One OSD: pools must accept size 1 and place replicas per OSD, not per host.
osd pool default size = 1
osd pool default min size = 1
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
# RGW creates ~7 pools on first use; keep PGs few and fixed (no autoscaler,
# no mgr needed) and lift the per-OSD PG cap so pool creation never refuses.
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon max pg per osd = 1000
# The OSD is registered in the CRUSH map by hand before it starts (see
# start_osd). Letting it update its own location/class at boot made it die
# now and then with "wrong fsid: Operation not permitted".
osd crush update on start = false
osd class update on start = false
# Everything a daemon writes lives in the state dir.
run dir = $RGW_DIR/run
admin socket = $RGW_DIR/run/\$cluster-\$name.asok
log file = $RGW_DIR/log/\$name.log
keyring = $RGW_DIR/keyring
mon data = $RGW_DIR/mon/\$cluster-\$id
osd data = $RGW_DIR/osd/\$cluster-\$id
# A nearly full /tmp must not make the monitor shut itself down.
mon data avail warn = 2
mon data avail crit = 1

[mon]
# The monitor batches map changes for up to 1 s (paxos propose interval).
# RGW's first radosgw-admin call creates 4 pools, each a few map changes in
# sequence, so the default costs ~8 s of pure waiting; one proposer, one
# monitor, no reason to batch.
paxos propose interval = 0.05

[osd]
# Objects kept in RAM: no disk to prepare, nothing left behind, fast.
osd objectstore = memstore
memstore device bytes = 1073741824
osd memory target = 536870912

[$RGW_NAME]
rgw frontends = beast endpoint=127.0.0.1:$RGW_PORT tcp_nodelay=1
# Website endpoints (Get/Put/DeleteBucketWebsite) are off by default.
rgw enable static website = true
# The default (512 threads) is sized for production; a test server needs few.
rgw thread pool size = 32
rgw data = $RGW_DIR/rgw
# STS (AssumeRole) on the S3 port, for the IAMRoleSelector suite (test/integration/roles.test.ts).
# The key encrypts the session tokens RGW hands out and must be exactly 16 characters.
rgw s3 auth use sts = true
rgw sts key = $STS_KEY
# AWS's floor is 900 s; lowered so that a test can ask for sessions that expire within the test.
rgw sts min session duration = 2
EOF
}

wait_for() {
  # wait_for DESCRIPTION DAEMON... -- COMMAND...: poll COMMAND until it
  # succeeds; fail fast if one of the DAEMONs died meanwhile.
  local what=$1
  shift
  local -a daemons=()
  while [[ $1 != -- ]]; do
    daemons+=("$1")
    shift
  done
  shift
  local d
  while time_left; do
    "$@" >/dev/null 2>&1 && return 0
    for d in "${daemons[@]}"; do
      alive "$d" || fail_start "$d exited while waiting for $what"
    done
    sleep 0.5
  done
  fail_start "timed out (${START_TIMEOUT}s) waiting for $what"
}

mon_ready() { ceph_ mon stat; }
osd_up() {
  # Captured, not piped into grep -q: with pipefail an early-exiting grep can
  # turn a match into a failure (SIGPIPE on the writer).
  local out
  out=$(ceph_ osd stat 2>/dev/null) || return 1
  [[ $out == *" 1 up"* ]]
}

start_mon() {
  local fsid=$1
  ceph-authtool --create-keyring "$RGW_DIR/keyring" --gen-key -n mon. \
    --cap mon 'allow *' >/dev/null
  ceph-authtool "$RGW_DIR/keyring" --gen-key -n client.admin \
    --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' >/dev/null
  monmaptool --create --fsid "$fsid" --addv a "[v1:127.0.0.1:$RGW_MON_PORT]" \
    "$RGW_DIR/monmap" >/dev/null
  ceph-mon -c "$CONF" --mkfs -i a --monmap "$RGW_DIR/monmap" \
    --keyring "$RGW_DIR/keyring" >>"$RGW_DIR/log/mkfs.out" 2>&1 ||
    fail_start "ceph-mon --mkfs failed"
  spawn mon ceph-mon -c "$CONF" -f -i a
  wait_for "the monitor" mon -- mon_ready
}

start_osd() {
  local uuid id
  uuid=$(</proc/sys/kernel/random/uuid)
  # Right after a first install the monitor can answer "mon stat" and still refuse the next command
  # (EPERM "problem getting command descriptions"); seen once on a fresh machine. Retry a few times.
  local try
  for ((try = 1; ; try++)); do
    id=$(ceph_ osd new "$uuid" 2>>"$RGW_DIR/log/admin.out") && break
    ((try < 10)) && time_left || fail_start "ceph osd new failed"
    sleep 1
  done
  # WHY by hand: see "osd crush update on start" in the conf.
  ceph_ osd crush add "osd.$id" 1.0 root=default >/dev/null 2>&1 ||
    fail_start "ceph osd crush add failed"
  mkdir -p "$RGW_DIR/osd/ceph-$id"
  ceph-osd -c "$CONF" -i "$id" --mkfs --osd-uuid "$uuid" \
    >>"$RGW_DIR/log/mkfs.out" 2>&1 || fail_start "ceph-osd --mkfs failed"
  spawn osd ceph-osd -c "$CONF" -f -i "$id"
  wait_for "the OSD to be up" mon osd -- osd_up
}

create_users() {
  # The first radosgw-admin call also creates the default realm-less
  # zonegroup/zone and the RGW pools, so it must come before zonegroup modify.
  log "creating S3 users $HOOK_USER and $OTHER_USER"
  rgwadmin user create --uid "$HOOK_USER" --display-name "bucket hook tests" \
    --access-key "$HOOK_ACCESS_KEY" --secret "$HOOK_SECRET_KEY" \
    >>"$RGW_DIR/log/admin.out" 2>&1 || fail_start "radosgw-admin user create $HOOK_USER failed"
  rgwadmin user create --uid "$OTHER_USER" --display-name "another account" \
    --access-key "$OTHER_ACCESS_KEY" --secret "$OTHER_SECRET_KEY" \
    >>"$RGW_DIR/log/admin.out" 2>&1 || fail_start "radosgw-admin user create $OTHER_USER failed"
  # api_name is what RGW compares CreateBucket's LocationConstraint with (and
  # the region clients sign for). The default zonegroup's api_name is
  # "default"; set ours. Must run after the zonegroup exists (see above) and
  # before radosgw starts (it reads the zonegroup once at start).
  rgwadmin zonegroup modify --rgw-zonegroup=default --api-name="$RGW_REGION" \
    >>"$RGW_DIR/log/admin.out" 2>&1 || fail_start "radosgw-admin zonegroup modify failed"
}

# The roles of the IAMRoleSelector suite. Each trusts the hook user (sts:AssumeRole, no caps needed) and
# allows S3 on its own name prefix only, so a bucket outside it is refused to the role, not to the user;
# `untrusted` trusts only the other user, so the hook's AssumeRole of it is refused. Roles work at once.
create_roles() {
  log "creating STS roles team-a, team-b, untrusted"
  local role principal prefix
  for role in team-a team-b untrusted; do
    principal=$HOOK_USER prefix=$role
    [[ $role == untrusted ]] && principal=$OTHER_USER prefix=untrusted
    rgwadmin role create --role-name="$role" --path=/ \
      --assume-role-policy-doc="{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":[\"arn:aws:iam:::user/$principal\"]},\"Action\":[\"sts:AssumeRole\"]}]}" \
      >>"$RGW_DIR/log/admin.out" 2>&1 || fail_start "radosgw-admin role create $role failed"
    rgwadmin role-policy put --role-name="$role" --policy-name=buckets \
      --policy-doc="{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"s3:*\"],\"Resource\":[\"arn:aws:s3:::$prefix-*\",\"arn:aws:s3:::$prefix-*/*\"]}]}" \
      >>"$RGW_DIR/log/admin.out" 2>&1 || fail_start "radosgw-admin role-policy put $role failed"
  done
}

write_env() {
  local tmp="$ENV_FILE.tmp"
  cat >"$tmp" <<EOF
S3_TEST_ENDPOINT=$ENDPOINT
S3_TEST_REGION=$RGW_REGION
S3_TEST_ACCESS_KEY=$HOOK_ACCESS_KEY
S3_TEST_SECRET_KEY=$HOOK_SECRET_KEY
S3_TEST_OTHER_ACCESS_KEY=$OTHER_ACCESS_KEY
S3_TEST_OTHER_SECRET_KEY=$OTHER_SECRET_KEY
S3_TEST_USER_ID=$HOOK_USER
S3_TEST_OTHER_USER_ID=$OTHER_USER
S3_TEST_STS_ENDPOINT=$ENDPOINT
S3_TEST_ROLE_A_ARN=arn:aws:iam:::role/team-a
S3_TEST_ROLE_B_ARN=arn:aws:iam:::role/team-b
S3_TEST_ROLE_UNTRUSTED_ARN=arn:aws:iam:::role/untrusted
S3_TEST_RGW_ADMIN_SOCKET=$RGW_DIR/run/ceph-$RGW_NAME.asok
EOF
  mv "$tmp" "$ENV_FILE"
}

stop_daemons() {
  local d pid i
  rm -f "$ENV_FILE"
  for d in "${DAEMONS[@]}"; do
    if pid=$(pid_of "$d"); then
      log "stopping $d (pid $pid)"
      kill -TERM "$pid" 2>/dev/null || true
      for ((i = 0; i < 100; i++)); do
        alive "$d" || break
        sleep 0.1
      done
      if alive "$d"; then
        log "$d did not exit after TERM; sending KILL"
        kill -KILL "$pid" 2>/dev/null || true
        for ((i = 0; i < 50; i++)); do
          alive "$d" || break
          sleep 0.1
        done
      fi
    fi
    rm -f "$RGW_DIR/$d.pid"
  done
}

wipe_dir() {
  # Refuse to rm -rf a directory this script did not create (RGW_DIR is a
  # user-supplied path).
  if [[ -d $RGW_DIR && ! -f $MARKER ]] && [[ -n $(ls -A "$RGW_DIR") ]]; then
    die "$RGW_DIR exists, is not empty and was not created by $0; refusing to wipe it"
  fi
  rm -rf "$RGW_DIR"
  mkdir -p "$RGW_DIR"/{log,run,mon,osd,rgw}
  : >"$MARKER"
}

lock() {
  mkdir -p "$(dirname "$LOCK_FILE")"
  exec 9>"$LOCK_FILE"
  flock 9
}

cmd_start() {
  [[ $(id -u) == 0 ]] || die "must run as root"
  lock
  if is_up; then
    if serves_this "$ENV_FILE"; then
      log "reusing running RGW at $ENDPOINT ($RGW_DIR)"
      printf '%s\n' "$ENV_FILE"
      return 0
    fi
    if grep -qx "S3_TEST_REGION=$RGW_REGION" "$ENV_FILE"; then
      log "the RGW running at $ENDPOINT was started without STS (an older rgw.sh): restarting it"
    else
      # The zonegroup's api_name is read once at start: another region needs a fresh cluster.
      log "the RGW running at $ENDPOINT serves $(sed -n 's/^S3_TEST_REGION=//p' "$ENV_FILE"), not $RGW_REGION: restarting it"
    fi
  fi
  install_packages
  command -v curl >/dev/null || die "curl is needed"
  # Half-started leftovers (e.g. mon up, radosgw dead) must go before the wipe.
  if [[ -f $MARKER ]]; then stop_daemons; fi
  wipe_dir
  # Someone else on our ports (another cluster, a stale radosgw from a deleted
  # state dir) would make the waits below succeed against the wrong server.
  local port
  for port in "$RGW_PORT" "$RGW_MON_PORT"; do
    if port_busy "$port"; then
      die "127.0.0.1:$port is already in use (set RGW_PORT / RGW_MON_PORT)"
    fi
  done
  deadline=$((SECONDS + START_TIMEOUT))
  local t0=$SECONDS fsid
  fsid=$(</proc/sys/kernel/random/uuid)
  write_conf "$fsid"
  start_mon "$fsid"
  start_osd
  create_users
  create_roles
  spawn radosgw radosgw -c "$CONF" -n "$RGW_NAME" -f
  wait_for "S3 to answer on $ENDPOINT" mon osd radosgw -- http_answers
  write_env
  log "RGW up at $ENDPOINT after $((SECONDS - t0))s (state: $RGW_DIR)"
  printf '%s\n' "$ENV_FILE"
}

cmd_stop() {
  [[ -d $RGW_DIR ]] || {
    log "nothing to stop ($RGW_DIR does not exist)"
    return 0
  }
  lock
  stop_daemons
  log "stopped (state dir kept: $RGW_DIR)"
}

# The env file of an RGW in this region with STS and the test roles (an older rgw.sh wrote none).
serves_this() {
  grep -qx "S3_TEST_REGION=$RGW_REGION" "$1" && grep -q '^S3_TEST_ROLE_A_ARN=' "$1"
}

cmd_status() {
  if is_up && serves_this "$ENV_FILE"; then
    printf '%s\n' "$ENV_FILE"
    return 0
  fi
  log "not running (in $RGW_REGION at $ENDPOINT)"
  return 1
}

case ${1:-} in
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
*)
  echo "usage: $0 start|stop|status" >&2
  exit 2
  ;;
esac
