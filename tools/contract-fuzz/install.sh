#!/usr/bin/env bash
# Installs the pinned schemathesis (PyPI) into a virtual environment of its own, once, under
# ${NEWSROOM_CACHE_DIR:-~/.cache/newsroom}; prints the path of its executable. Idempotent.
set -euo pipefail

VERSION="4.32.5"
CACHE_DIR="${NEWSROOM_CACHE_DIR:-${HOME}/.cache/newsroom}"
VENV="${CACHE_DIR}/schemathesis-${VERSION}"
BIN="${VENV}/bin/schemathesis"

if [[ ! -x "${BIN}" || ! -f "${VENV}/.complete" ]]; then
  command -v python3 >/dev/null 2>&1 || { echo "python3 is needed to install schemathesis" >&2; exit 1; }
  echo "installing schemathesis ${VERSION} into ${VENV} (one-off)" >&2
  rm -rf "${VENV}"
  python3 -m venv "${VENV}"
  "${VENV}/bin/pip" install --quiet --disable-pip-version-check "schemathesis==${VERSION}" >&2
  touch "${VENV}/.complete"
fi
echo "${BIN}"
