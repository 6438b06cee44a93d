#!/usr/bin/env bash
# Native TensorFlow for @tensorflow/tfjs-node, from registry packages only: the C library from
# PyPI's tensorflow-cpu wheel (pinned, checked by its sha256, cached), the binding compiled here
# with node-gyp against the local Node headers. tfjs-node's own installer downloads libtensorflow
# from storage.googleapis.com, which no package registry serves (and which has failed upstream,
# tensorflow/tfjs#8742); the project's .npmrc keeps install scripts off, so it never runs.
#
# Where it cannot be had (another platform, no compiler, no network), it says so once and exits 0:
# the services then compute on WebAssembly (ML_BACKENDS tries tensorflow, then wasm, then cpu).
# A wheel whose checksum is wrong is an error. NEWSROOM_NATIVE_TF=off skips all of it; =required
# (CI) makes its absence an error.
# Called by `npm start`, `npm run demo`, CI and the image's native stage; idempotent and quick when
# the binding already loads.
set -euo pipefail
cd "$(dirname "$0")/../.."

# tensorflow-cpu 2.12 to 2.21 ship libtensorflow_cc.so.2 with every TF_/TFE_ function tfjs-node
# 4.22's binding calls (the wheel's Python tag does not matter: only the C library is used).
readonly WHEEL=tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl
readonly WHEEL_URL=https://files.pythonhosted.org/packages/59/03/9a99555a762de8cd4a405efbd39a732d926d8e58791441889560b7675b3e/$WHEEL
readonly WHEEL_SHA256=2b847d217b02ee7731ed91431daf3250daa0196c3c94614d23be27232e6e5b6c
readonly GLIBC_NEEDED=2.27
readonly PKG=node_modules/@tensorflow/tfjs-node
CACHE_DIR="${NEWSROOM_CACHE_DIR:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/newsroom}"
LOG="${TMPDIR:-/tmp}/newsroom-native-tf.log"
MODE="${NEWSROOM_NATIVE_TF:-auto}"

say() { echo "[native-tf] $*"; }
without() {
  if [[ $MODE == required ]]; then
    echo "[native-tf] native TensorFlow is required (NEWSROOM_NATIVE_TF=required) and not installed: $*" >&2
    exit 1
  fi
  say "native TensorFlow not installed: $*. The services compute on WebAssembly."
  exit 0
}
loads() {
  node -e "const tf = require('@tensorflow/tfjs-node'); if (tf.getBackend() !== 'tensorflow') process.exit(1)" \
    >/dev/null 2>&1
}

case $MODE in
  auto | required) ;;
  off) without "NEWSROOM_NATIVE_TF=off" ;;
  *)
    echo "[native-tf] NEWSROOM_NATIVE_TF must be auto, off or required, not '$MODE'" >&2
    exit 1
    ;;
esac
[[ -f $PKG/package.json ]] || without "$PKG is not in node_modules (run npm ci first)"
# Built from this very wheel and loading: nothing to do (a new pin rebuilds).
marker=$PKG/deps/.wheel-sha256
if [[ -f $marker && $(cat "$marker") == "$WHEEL_SHA256" ]] && loads; then
  say "@tensorflow/tfjs-node loads (native TensorFlow)"
  exit 0
fi

[[ $(uname -s)/$(uname -m) == Linux/x86_64 ]] ||
  without "the wheel is built for Linux on x86_64, this is $(uname -s) on $(uname -m)"
grep -qw avx /proc/cpuinfo || without "this CPU has no AVX, which the wheel's library needs"
glibc=$(getconf GNU_LIBC_VERSION 2>/dev/null | awk '{ print $2 }' || true)
[[ -n $glibc ]] && printf '%s\n%s\n' "$GLIBC_NEEDED" "$glibc" | sort -VC ||
  without "the wheel needs glibc ≥ $GLIBC_NEEDED, this system has ${glibc:-none}"
for tool in g++ make python3 unzip strip curl sha256sum; do
  command -v "$tool" >/dev/null 2>&1 || without "building the binding needs $tool"
done
nodedir=$(node -p 'require("node:path").resolve(process.execPath, "../..")')
[[ -f $nodedir/include/node/node_api.h ]] || without "no Node headers in $nodedir/include/node"

mkdir -p "$CACHE_DIR" || without "cannot create the cache directory $CACHE_DIR"
wheel="$CACHE_DIR/$WHEEL"
if ! echo "$WHEEL_SHA256  $wheel" | sha256sum -c --status 2>/dev/null; then
  say "downloading $WHEEL (274 MB, once; cached in $CACHE_DIR)"
  if ! curl -fsSL --retry 3 --connect-timeout 20 -o "$wheel.part" "$WHEEL_URL"; then
    rm -f "$wheel.part"
    without "could not download $WHEEL_URL"
  fi
  if ! echo "$WHEEL_SHA256  $wheel.part" | sha256sum -c --status; then
    rm -f "$wheel.part"
    echo "[native-tf] $WHEEL from $WHEEL_URL does not have sha256 $WHEEL_SHA256: not used" >&2
    exit 1
  fi
  mv "$wheel.part" "$wheel"
fi

started=$SECONDS
say "unpacking libtensorflow from $WHEEL and building the binding (log: $LOG)"
# Every step of it may fail (a full disk, a compiler error): then it says so, and the services use
# WebAssembly. Unpacked beside the package (not in /tmp, often a small tmpfs: 850 MB).
build() {
  set -euo pipefail
  local work=$PKG/.native-tf-work deps=$PKG/deps
  rm -rf "$work" "$deps"
  mkdir -p "$work" "$deps/lib"
  unzip -q "$wheel" -d "$work" \
    'tensorflow/libtensorflow_cc.so.2' 'tensorflow/libtensorflow_framework.so.2' \
    'tensorflow/include/tensorflow/c/*' 'tensorflow/include/tensorflow/core/platform/ctstring*' \
    'tensorflow/include/tsl/platform/ctstring*' 'tensorflow/include/xla/tsl/c/*'
  mv "$work/tensorflow/include" "$deps/include"
  # Symbols for debugging only: 788 → 583 MB and 65 → 51 MB.
  strip --strip-unneeded -o "$deps/lib/libtensorflow_cc.so.2" "$work/tensorflow/libtensorflow_cc.so.2"
  strip --strip-unneeded -o "$deps/lib/libtensorflow_framework.so.2" "$work/tensorflow/libtensorflow_framework.so.2"
  rm -rf "$work"
  # The names the binding links with; the 2.9.1 one also tells tfjs-node's installer the library is here.
  ln -sf libtensorflow_cc.so.2 "$deps/lib/libtensorflow.so"
  ln -sf libtensorflow_cc.so.2 "$deps/lib/libtensorflow.so.2.9.1"
  ln -sf libtensorflow_framework.so.2 "$deps/lib/libtensorflow_framework.so"
  ln -sf libtensorflow_framework.so.2 "$deps/lib/libtensorflow_framework.so.2.9.1"
  # A custom library and no prebuilt addon: tfjs-node's installer compiles the binding from source
  # (with the library already in deps/, it downloads nothing).
  echo "{ \"tf-lib\": \"$WHEEL_URL\" }" >"$PKG/scripts/custom-binary.json"
  npm_config_nodedir="$nodedir" npm rebuild @tensorflow/tfjs-node --ignore-scripts=false --foreground-scripts
}
# Not in an `if`: bash ignores `set -e` inside a condition, and each step must stop the build.
set +e
(build) >"$LOG" 2>&1
built=$?
set -e
if ((built != 0)); then
  tail -20 "$LOG"
  rm -rf "$PKG/.native-tf-work" "$PKG/deps"
  without "unpacking or compiling failed (above, and $LOG)"
fi
loads || without "the binding compiled but does not load (node -e \"require('@tensorflow/tfjs-node')\")"
echo "$WHEEL_SHA256" >"$marker"
say "native TensorFlow ready in $((SECONDS - started)) s: @tensorflow/tfjs-node on libtensorflow from $WHEEL"
