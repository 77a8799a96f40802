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
#   helm     helm (the chart's lint, template, install)        helm.sh/helm/v4 v4.3.2
#   promtool promtool (the alert rules' unit tests)            github.com/prometheus/prometheus v0.316.0 (= Prometheus 3.16.0)
#   kube-state-metrics  kube-state-metrics (Bucket conditions as series)  k8s.io/kube-state-metrics/v2 v2.20.0
#   luahealth  luahealth (Argo CD's Lua health rules, run as     github.com/yuin/gopher-lua v1.1.2
#            Argo CD runs them; the rules are read from Argo CD's module at run time)
#   ack      ack-s3-controller (ACK's S3 controller, the bench's peer)  github.com/aws-controllers-k8s/s3-controller v1.14.0
#            Not needed by the tests: only `npm run bench` builds it. The proxy refuses the runtime module
#            v1.14.0 asks for (v0.67.0), so the wrapper pins the newest it serves (v0.62.0), and the build adds
#            the one function v1.14.0 calls that v0.62.0 lacks (go/ack/overlay/) to a copy of it.
# (helm, promtool and kube-state-metrics need no replace lines: none of their go.mod files has any.)
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
    helm) echo helm ;;
    promtool) echo promtool ;;
    kube-state-metrics) echo kube-state-metrics ;;
    luahealth) echo luahealth ;;
    ack) echo ack-s3-controller ;;
    *) die "unknown component '$1' (known: kube etcd kstatus luahealth helm promtool kube-state-metrics ack)" ;;
  esac
}
package_of() { # the Go package of a program
  case $1 in
    kube-apiserver | kube-controller-manager | kubectl) echo "k8s.io/kubernetes/cmd/$1" ;;
    etcd) echo go.etcd.io/etcd/server/v3 ;;
    kstatus | luahealth) echo . ;;
    helm) echo helm.sh/helm/v4/cmd/helm ;;
    promtool) echo github.com/prometheus/prometheus/cmd/promtool ;;
    kube-state-metrics) echo k8s.io/kube-state-metrics/v2 ;;
    ack-s3-controller) echo github.com/aws-controllers-k8s/s3-controller/cmd/controller ;;
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
    # The versions the wrappers' go.mod files require, stamped as upstream's release builds do: `helm
    # version` (and a chart's .Capabilities.HelmVersion), `promtool --version`, kube_state_metrics_build_info.
    helm) echo "-s -w -X helm.sh/helm/v4/internal/version.version=$(required helm helm.sh/helm/v4) -X helm.sh/helm/v4/internal/version.gitTreeState=clean" ;;
    promtool)
      # Prometheus 3.x is published as module v0.3XX.Y: v0.316.0 is release 3.16.0.
      local v
      v=$(required promtool github.com/prometheus/prometheus)
      v=${v#v0.}
      echo "-s -w -X github.com/prometheus/common/version.Version=${v:0:1}.$((10#${v:1:2})).${v#*.}"
      ;;
    kube-state-metrics) echo "-s -w -X github.com/prometheus/common/version.Version=$(required kube-state-metrics k8s.io/kube-state-metrics/v2) -X k8s.io/kube-state-metrics/v2/pkg/app.ClientGoVersion=$(required kube-state-metrics k8s.io/client-go)" ;;
    *) echo "-s -w" ;;
  esac
}

tags_of() { # build tags
  case $1 in
    # promtool checks and unit-tests rules: none of Prometheus's service discoveries (the AWS, Azure, GCE,
    # Kubernetes... SDKs they pull in were most of its build) is needed, and Prometheus provides this tag for that.
    promtool) echo remove_all_sd ;;
    *) echo "" ;;
  esac
}

required() { # required COMPONENT MODULE: the version of MODULE that the component's go.mod requires
  awk -v m="$2" '$1 == m { print $2; exit }' "$here/go/$1/go.mod"
}

modfile_of() { # extra `go build` flags for COMPONENT, preparing what they name in DIR (the ack component's patched runtime)
  local component=$1 dir=$2
  [ "$component" = ack ] || return 0
  # Go refuses -overlay for files in the module cache, so the runtime is copied beside the build, the file
  # added, and an alternative go.mod (-modfile) replaces the module with that copy.
  local runtime
  runtime=$(cd "$here/go/ack" && go list -m -f '{{if .Replace}}{{.Replace.Dir}}{{else}}{{.Dir}}{{end}}' github.com/aws-controllers-k8s/runtime) || return 1
  [ -d "$runtime/pkg/errors" ] || { echo "github.com/aws-controllers-k8s/runtime: no pkg/errors in $runtime" >&2; return 1; }
  mkdir -p "$dir/mod"
  cp -R "$runtime" "$dir/mod/runtime"
  chmod -R u+w "$dir/mod/runtime"
  cp "$here/go/ack/overlay/post_create_error.go" "$dir/mod/runtime/pkg/errors/zz_post_create_error.go"
  cp "$here/go/ack/go.mod" "$here/go/ack/go.sum" "$dir/mod/"
  (cd "$here/go/ack" && go mod edit -modfile="$dir/mod/go.mod" -replace "github.com/aws-controllers-k8s/runtime=$dir/mod/runtime") || return 1
  echo "-modfile=$dir/mod/go.mod"
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
  { go env GOVERSION; cat "$dir/go.mod" "$dir/go.sum"; find "$dir" -name '*.go' -print0 | sort -z | xargs -0r cat; echo "$(ldflags_of "$(binaries "$1" | cut -d' ' -f1)")"; t=$(tags_of "$(binaries "$1" | cut -d' ' -f1)"); [ -z "$t" ] || echo "tags=$t"; } | sha256sum | cut -c1-12
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
    local modfile
    if ! modfile=$(modfile_of "$component" "$tmp" 2>"$log"); then
      explain_failure "$component" "$component" "$log"
      rm -rf "$tmp"
      exit 2
    fi
    for b in $(binaries "$component"); do
      # shellcheck disable=SC2086
      if ! (cd "$here/go/$component" && CGO_ENABLED=0 go build -trimpath $modfile -tags "$(tags_of "$b")" -ldflags "$(ldflags_of "$b")" -o "$tmp/$b" "$(package_of "$b")") >"$log" 2>&1; then
        explain_failure "$component" "$b" "$log"
        rm -rf "$tmp"
        exit 2
      fi
    done
    rm -rf "$log" "$tmp/mod"
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
  for component in kube etcd kstatus luahealth helm promtool kube-state-metrics ack; do
    if [[ " $(binaries "$component") " == *" $name "* ]]; then
      build "$component"
      echo "$(entry_of "$component")/$name"
      exit 0
    fi
  done
  die "no component builds '$name'"
fi

components=("$@")
[ ${#components[@]} -gt 0 ] || components=(kube etcd kstatus luahealth helm promtool kube-state-metrics)
for component in "${components[@]}"; do
  build "$component"
  for b in $(binaries "$component"); do echo "$b=$(entry_of "$component")/$b"; done
done
