#!/bin/sh
# Install everything the tests need, then run them.  This is the README's test command and what
# .ci/run calls.  LibreOffice is installed here, not assumed: the real-client tests fail without it.
set -eu
cd "$(dirname "$0")/.."

need_apt=""
command -v soffice >/dev/null 2>&1 || need_apt="$need_apt libreoffice-calc-nogui"
command -v pdfinfo >/dev/null 2>&1 || need_apt="$need_apt poppler-utils"
fc-list 2>/dev/null | grep -qi "cjk\|wqy\|simsun" || need_apt="$need_apt fonts-noto-cjk"
if [ -n "$need_apt" ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $need_apt  # with recommends: the set the LibreOffice tests were verified with
fi

# Gnumeric, the second real client (ssconvert): without recommends, the set the tests were verified with.
if ! command -v ssconvert >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    [ -n "$need_apt" ] || $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends gnumeric
fi

# Print with the font a Chinese office has: alias 宋体/SimSun to Noto Serif CJK SC (user level).
mkdir -p "$HOME/.config/fontconfig/conf.d"
cp tests/fonts/perfxl-fonts.conf "$HOME/.config/fontconfig/conf.d/60-perfxl.conf"

PY="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'
# The direction of dependency (contracts in pyproject.toml): a cycle or an upward import fails here.
.venv/bin/lint-imports --no-cache
exec .venv/bin/python -m pytest "$@"
