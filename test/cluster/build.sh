#!/usr/bin/env bash
# Builds the programs of the local control plane from Go modules, once per machine, into a cache keyed by
# what they are built from (the wrapper module's go.mod, go.sum and sources, and the Go version):
#
#   bash test/cluster/build.sh [COMPONENT...]   # default: every component; prints "NAME=PATH" per binary
#   bash test/cluster/build.sh --path NAME      # the path of one binary (built first if missing)
#   bash test/cluster/build.sh --module-dir MODULE@VERSION   # a module's files in Go's module cache (downloaded
#                                               # when missing): what tests read of other projects (cert-manager's CRDs)
#   bash test/cluster/build.sh --module-zip MODULE@VERSION   # the module's zip in Go's module cache (downloaded and
#                                               # verified when missing), also for a module that needs a newer Go
#                                               # than the machine's, which Go downloads but does not extract
#
# Components, each a small wrapper module under test/cluster/go/ (a go.mod requiring the upstream module,
# and a tiny main where upstream has none that `go build` can reach):
#   kube     kube-apiserver, kube-controller-manager, kubectl   k8s.io/kubernetes v1.36.3
#   etcd     etcd                                              go.etcd.io/etcd/server/v3 v3.6.16
#   kstatus  kstatus (our main around the library)             sigs.k8s.io/cli-utils v0.37.2
#   luahealth  luahealth (Argo CD's Lua health rules, run as     github.com/yuin/gopher-lua v1.1.2
#            Argo CD runs them; the rules are read from Argo CD's module at run time)
#
# The cache: $BUCKET_HOOK_BIN_CACHE, default ~/.cache/bucket-hook/bin (outside the clone: every clone on the
# machine shares it; nothing is ever committed). A directory per component and key; a build writes into a
# temporary directory and renames it, so a half-built cache entry never exists. Go's own module and build
# caches make a rebuild after a wrapper change take about a minute instead of the cold 20.
set -euo pipefail
cd "$(dirname "$0")"
here=$(pwd)

CACHE=${BUCKET_HOOK_BIN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/bucket-hook/bin}
KUBE_VERSION=v1.36.3

die() { echo "cluster build: $*" >&2; exit 2; }

binaries() { # the programs a component provides
  case $1 in
    kube) echo kube-apiserver kube-controller-manager kubectl ;;
    etcd) echo etcd ;;
    kstatus) echo kstatus ;;
    luahealth) echo luahealth ;;
    *) die "unknown component '$1' (known: kube etcd kstatus luahealth)" ;;
  esac
}
package_of() { # the Go package of a program
  case $1 in
    kube-apiserver | kube-controller-manager | kubectl) echo "k8s.io/kubernetes/cmd/$1" ;;
    etcd) echo go.etcd.io/etcd/server/v3 ;;
    kstatus | luahealth) echo . ;;
  esac
}
ldflags_of() { # version stamps: without them kube-apiserver's /version says v0.0.0-master and kubectl's skew logic is confused
  case $1 in
    kube-apiserver | kube-controller-manager | kubectl)
      local minor=${KUBE_VERSION#v1.}
      minor=${minor%%.*}
      local flags="-s -w" pkg
      for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
        flags+=" -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
      done
      echo "$flags"
      ;;
    *) echo "-s -w" ;;
  esac
}

check_go() {
  # Go's own installer puts it in /usr/local/go; a shell that has not sourced the profile lacks it on PATH.
  if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then PATH=/usr/local/go/bin:$PATH; fi
  command -v go >/dev/null 2>&1 || die "Go is not installed or not on PATH: install Go 1.26 or newer (the control plane for the cluster tests is built from Go modules), or put /usr/local/go/bin on PATH"
  local v
  v=$(go env GOVERSION 2>/dev/null) || die "'go env' failed: check the Go installation"
  v=${v#go}
  local major=${v%%.*} rest=${v#*.}
  local minor=${rest%%.*}
  if [ "$major" -lt 1 ] || { [ "$major" -eq 1 ] && [ "$minor" -lt 26 ]; }; then
    die "Go $v is too old: k8s.io/kubernetes $KUBE_VERSION needs Go 1.26 or newer"
  fi
}

key_of() { # component -> cache key
  local dir=$here/go/$1
  { go env GOVERSION; cat "$dir/go.mod" "$dir/go.sum"; find "$dir" -name '*.go' -print0 | sort -z | xargs -0r cat; echo "$(ldflags_of "$(binaries "$1" | cut -d' ' -f1)")"; } | sha256sum | cut -c1-12
}

entry_of() { echo "$CACHE/$1-$(key_of "$1")"; }

build() { # build COMPONENT: into the cache, unless there already
  local component=$1 entry
  entry=$(entry_of "$component")
  local missing=0 b
  for b in $(binaries "$component"); do [ -x "$entry/$b" ] || missing=1; done
  [ "$missing" = 0 ] && return 0
  mkdir -p "$CACHE"
  # One builder per component at a time; a second caller waits and then finds the entry.
  exec 9>"$CACHE/.$component.lock"
  flock 9
  missing=0
  for b in $(binaries "$component"); do [ -x "$entry/$b" ] || missing=1; done
  if [ "$missing" = 1 ]; then
    local tmp log started
    tmp=$(mktemp -d "$CACHE/.$component.XXXXXX")
    log=$tmp/build.log
    started=$(date +%s)
    echo "== building $component ($(binaries "$component")) from Go modules into $entry; the first build on a machine takes a while (kube: about 20 min on 2 cores)" >&2
    for b in $(binaries "$component"); do
      if ! (cd "$here/go/$component" && CGO_ENABLED=0 go build -trimpath -ldflags "$(ldflags_of "$b")" -o "$tmp/$b" "$(package_of "$b")") >"$log" 2>&1; then
        explain_failure "$component" "$b" "$log"
        rm -rf "$tmp"
        exit 2
      fi
    done
    rm -f "$log"
    rm -rf "$entry"
    mv "$tmp" "$entry"
    echo "== built $component in $(($(date +%s) - started)) s" >&2
  fi
  flock -u 9
  exec 9>&-
}

explain_failure() { # one sentence naming what to do, then the tail of Go's output for the curious
  local component=$1 binary=$2 log=$3 refused
  refused=$(grep -oE '[^ ]+@v[^ :]+: reading https?://[^ ]+: (403|404|410)[^"]*' "$log" | head -n 1 || true)
  if [ -n "$refused" ]; then
    echo "cluster build: the Go module proxy ($(go env GOPROXY)) refused a module that $binary needs: ${refused%%: reading*}; set GOPROXY to a proxy that serves it, or pre-fill the module cache (go mod download in test/cluster/go/$component)" >&2
  elif grep -qE 'dial tcp|no such host|i/o timeout|connection refused' "$log"; then
    echo "cluster build: the Go module proxy ($(go env GOPROXY)) cannot be reached while building $binary: check the network or GOPROXY" >&2
  elif grep -qE 'no space left' "$log"; then
    echo "cluster build: the disk is full while building $binary: free space for Go's build cache ($(go env GOCACHE))" >&2
  else
    echo "cluster build: 'go build' of $binary (test/cluster/go/$component) failed; Go said:" >&2
  fi
  tail -n 5 "$log" | sed 's/^/    /' >&2
}

check_go
if [ "${1:-}" = --module-dir ]; then
  spec=${2:?usage: build.sh --module-dir MODULE@VERSION}
  out=$(cd / && GOFLAGS=-mod=mod go mod download -json "$spec" 2>&1) || true
  dir=$(sed -n 's/^\t"Dir": "\(.*\)",$/\1/p' <<<"$out")
  if [ -z "$dir" ] || [ ! -d "$dir" ]; then
    die "the Go module proxy ($(go env GOPROXY)) did not serve $spec: $(sed -n 's/^\t"Error": "\(.*\)",\{0,1\}$/\1/p' <<<"$out" | cut -c1-300)"
  fi
  echo "$dir"
  exit 0
fi
if [ "${1:-}" = --module-zip ]; then
  spec=${2:?usage: build.sh --module-zip MODULE@VERSION}
  out=$(cd / && GOFLAGS=-mod=mod go mod download -json "$spec" 2>&1) || true
  zip=$(sed -n 's/^\t"Zip": "\(.*\)",$/\1/p' <<<"$out")
  if [ -z "$zip" ] || [ ! -f "$zip" ]; then
    die "the Go module proxy ($(go env GOPROXY)) did not serve $spec: $(sed -n 's/^\t"Error": "\(.*\)",\{0,1\}$/\1/p' <<<"$out" | cut -c1-300)"
  fi
  echo "$zip"
  exit 0
fi
if [ "${1:-}" = --path ]; then
  name=${2:?usage: build.sh --path BINARY}
  for component in kube etcd kstatus luahealth; do
    if [[ " $(binaries "$component") " == *" $name "* ]]; then
      build "$component"
      echo "$(entry_of "$component")/$name"
      exit 0
    fi
  done
  die "no component builds '$name'"
fi

components=("$@")
[ ${#components[@]} -gt 0 ] || components=(kube etcd kstatus luahealth)
for component in "${components[@]}"; do
  build "$component"
  for b in $(binaries "$component"); do echo "$b=$(entry_of "$component")/$b"; done
done
