#!/usr/bin/env bash
# A real Kubernetes control plane on loopback, for the cluster tests and `npm run cluster:up`: etcd,
# kube-apiserver and kube-controller-manager, built from Go modules by build.sh. No kubelet, no scheduler,
# no pods: the hook and Metacontroller run as processes beside it, with the identities they have in a cluster.
#
#   bash test/cluster/control-plane.sh up       # idempotent; prints the env file's path last on stdout
#   bash test/cluster/control-plane.sh status   # exit 0 and the env file's path if up, else exit 1
#   bash test/cluster/control-plane.sh down     # TERM, then KILL, by PID; safe when nothing runs
#
# Environment:
#   CLUSTER_DIR        state (certificates, etcd data, logs, PIDs, kubeconfig); default .cluster in the clone
#   CLUSTER_PORT_BASE  first of the ports below (default 16440): etcd +0 (client) +1 (peer),
#                      kube-apiserver +3, kube-controller-manager +4 (its health port)
#   CLUSTER_START_TIMEOUT  seconds each component may take to become ready (default 120)
#
# The env file ($CLUSTER_DIR/env) holds KEY=value lines: KUBECONFIG (the admin, in system:masters),
# KUBECTL, KSTATUS, LUAHEALTH (paths of the built programs), CLUSTER_API_URL, CLUSTER_CA_FILE (the API server's
# self-signed serving certificate, which clients trust), CLUSTER_ADMIN_TOKEN, CLUSTER_METACONTROLLER_TOKEN
# (user "metacontroller", no groups: it has only what RBAC grants it), CLUSTER_DIR.
#
# kube-apiserver: RBAC, static tokens (--token-auth-file), a ServiceAccount issuer and signing key, so the
# TokenRequest API (`kubectl create token`) issues real ServiceAccount tokens. kube-controller-manager runs
# only the namespace and garbage-collector controllers: without them a deleted Namespace never goes and
# owner references never cascade (a Bucket's child ConfigMap would outlive it).
set -euo pipefail
cd "$(dirname "$0")"
here=$(pwd)
root=$(cd ../.. && pwd)

CLUSTER_DIR=${CLUSTER_DIR:-$root/.cluster}
BASE=${CLUSTER_PORT_BASE:-16440}
ETCD_PORT=$BASE
ETCD_PEER_PORT=$((BASE + 1))
API_PORT=$((BASE + 3))
KCM_PORT=$((BASE + 4))
START_TIMEOUT=${CLUSTER_START_TIMEOUT:-120}
ENV_FILE=$CLUSTER_DIR/env
LOGS=$CLUSTER_DIR/logs
PIDS=$CLUSTER_DIR/pids
API_URL=https://127.0.0.1:$API_PORT

die() { echo "control plane: $*" >&2; exit 2; }
say() { echo "control plane: $*" >&2; }

pid_alive() { [ -f "$PIDS/$1.pid" ] && kill -0 "$(cat "$PIDS/$1.pid")" 2>/dev/null; }

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_until NAME SECONDS COMMAND...: polls every 0.2 s; on timeout names the log to read, and its last line.
wait_until() {
  local name=$1 seconds=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if ! pid_alive "$name"; then
      down_quietly
      die "$name exited during start-up: see $LOGS/$name.log (last line: $(tail -n 1 "$LOGS/$name.log" 2>/dev/null | cut -c1-300))"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      down_quietly
      die "$name did not become ready within ${seconds} s: see $LOGS/$name.log (last line: $(tail -n 1 "$LOGS/$name.log" 2>/dev/null | cut -c1-300))"
    fi
    sleep 0.2
  done
}

start() { # start NAME COMMAND...: in its own session (a `timeout` around the caller cannot take it down), logged, PID kept
  local name=$1
  shift
  setsid "$@" >"$LOGS/$name.log" 2>&1 </dev/null &
  echo $! >"$PIDS/$name.pid"
}

stop_one() {
  local name=$1 pid
  [ -f "$PIDS/$name.pid" ] || return 0
  pid=$(cat "$PIDS/$name.pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$PIDS/$name.pid"
}

down_quietly() {
  local name
  for name in kube-controller-manager kube-apiserver etcd; do stop_one "$name"; done
  rm -f "$ENV_FILE"
}

kubeconfig() { # kubeconfig FILE USER TOKEN
  cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster: {server: "$API_URL", certificate-authority: "$CLUSTER_DIR/pki/apiserver.crt"}
users:
- name: $2
  user: {token: "$3"}
contexts:
- name: local
  context: {cluster: local, user: $2, namespace: default}
current-context: local
EOF
  chmod 600 "$1"
}

up() {
  if [ -f "$ENV_FILE" ] && pid_alive kube-apiserver && pid_alive etcd && pid_alive kube-controller-manager; then
    echo "$ENV_FILE"
    return 0
  fi
  down_quietly
  local port
  for port in $ETCD_PORT $ETCD_PEER_PORT $API_PORT $KCM_PORT; do
    port_busy "$port" && die "port $port on 127.0.0.1 is in use: stop what listens there (ss -ltnp 'sport = :$port') or set CLUSTER_PORT_BASE to another free range"
  done
  command -v openssl >/dev/null || die "openssl is needed for the ServiceAccount signing key: apt-get install -y openssl"

  local bins etcd apiserver kcm kubectl kstatus luahealth
  bins=$(bash "$here/build.sh" kube etcd kstatus luahealth) || exit 2
  etcd=$(sed -n 's/^etcd=//p' <<<"$bins")
  apiserver=$(sed -n 's/^kube-apiserver=//p' <<<"$bins")
  kcm=$(sed -n 's/^kube-controller-manager=//p' <<<"$bins")
  kubectl=$(sed -n 's/^kubectl=//p' <<<"$bins")
  kstatus=$(sed -n 's/^kstatus=//p' <<<"$bins")
  luahealth=$(sed -n 's/^luahealth=//p' <<<"$bins")

  rm -rf "$CLUSTER_DIR/etcd" "$CLUSTER_DIR/pki" "$LOGS"
  mkdir -p "$CLUSTER_DIR/pki" "$LOGS" "$PIDS"
  chmod 700 "$CLUSTER_DIR"
  openssl genrsa -out "$CLUSTER_DIR/pki/sa.key" 2048 2>/dev/null
  local admin_token mc_token kcm_token
  admin_token=$(openssl rand -hex 24)
  mc_token=$(openssl rand -hex 24)
  kcm_token=$(openssl rand -hex 24)
  # token,user,uid,"groups": the admin is a cluster-admin through system:masters; Metacontroller's user has
  # no group, so it can do exactly what the RBAC an admin applies for it grants.
  cat >"$CLUSTER_DIR/pki/tokens.csv" <<EOF
$admin_token,admin,admin-uid,"system:masters"
$mc_token,metacontroller,metacontroller-uid
$kcm_token,system:kube-controller-manager,kcm-uid,"system:masters"
EOF
  chmod 600 "$CLUSTER_DIR/pki/tokens.csv"

  start etcd "$etcd" --name default --data-dir "$CLUSTER_DIR/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "default=http://127.0.0.1:$ETCD_PEER_PORT" --unsafe-no-fsync --log-level warn
  wait_until etcd "$START_TIMEOUT" curl -sf "http://127.0.0.1:$ETCD_PORT/health"

  start kube-apiserver "$apiserver" --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$API_PORT" \
    --cert-dir "$CLUSTER_DIR/pki" --service-cluster-ip-range 10.0.0.0/24 \
    --service-account-issuer "$API_URL" --service-account-key-file "$CLUSTER_DIR/pki/sa.key" \
    --service-account-signing-key-file "$CLUSTER_DIR/pki/sa.key" \
    --token-auth-file "$CLUSTER_DIR/pki/tokens.csv" --authorization-mode RBAC \
    --endpoint-reconciler-type none --v 1
  wait_until kube-apiserver "$START_TIMEOUT" test -s "$CLUSTER_DIR/pki/apiserver.crt"
  wait_until kube-apiserver "$START_TIMEOUT" curl -sf --cacert "$CLUSTER_DIR/pki/apiserver.crt" -H "Authorization: Bearer $admin_token" "$API_URL/readyz"

  kubeconfig "$CLUSTER_DIR/kubeconfig" admin "$admin_token"
  kubeconfig "$CLUSTER_DIR/kube-controller-manager.kubeconfig" system:kube-controller-manager "$kcm_token"
  kubeconfig "$CLUSTER_DIR/metacontroller.kubeconfig" metacontroller "$mc_token"

  start kube-controller-manager "$kcm" --kubeconfig "$CLUSTER_DIR/kube-controller-manager.kubeconfig" \
    --authentication-kubeconfig "$CLUSTER_DIR/kube-controller-manager.kubeconfig" \
    --authorization-kubeconfig "$CLUSTER_DIR/kube-controller-manager.kubeconfig" \
    --controllers namespace,garbagecollector --leader-elect=false --use-service-account-credentials=false \
    --bind-address 127.0.0.1 --secure-port "$KCM_PORT" --cert-dir "$CLUSTER_DIR/pki/kcm" --v 1
  wait_until kube-controller-manager "$START_TIMEOUT" curl -skf "https://127.0.0.1:$KCM_PORT/healthz"

  cat >"$ENV_FILE" <<EOF
KUBECONFIG=$CLUSTER_DIR/kubeconfig
KUBECTL=$kubectl
KSTATUS=$kstatus
LUAHEALTH=$luahealth
CLUSTER_DIR=$CLUSTER_DIR
CLUSTER_API_URL=$API_URL
CLUSTER_CA_FILE=$CLUSTER_DIR/pki/apiserver.crt
CLUSTER_ADMIN_TOKEN=$admin_token
CLUSTER_METACONTROLLER_TOKEN=$mc_token
CLUSTER_METACONTROLLER_KUBECONFIG=$CLUSTER_DIR/metacontroller.kubeconfig
EOF
  chmod 600 "$ENV_FILE"
  say "kube-apiserver ready at $API_URL (etcd :$ETCD_PORT, kube-controller-manager :$KCM_PORT); logs in $LOGS"
  echo "$ENV_FILE"
}

case ${1:-} in
  up) up ;;
  status)
    if [ -f "$ENV_FILE" ] && pid_alive kube-apiserver && pid_alive etcd; then echo "$ENV_FILE"; else exit 1; fi
    ;;
  down)
    down_quietly
    say "stopped (state kept in $CLUSTER_DIR for post-mortems; the next up starts afresh)"
    ;;
  *) echo "usage: bash test/cluster/control-plane.sh up|status|down" >&2; exit 2 ;;
esac
