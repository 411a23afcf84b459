#!/usr/bin/env bash
# What both of the README's commands install first (sourced by dashboard/serve.sh and tests/run.sh): uv, the locked
# Python packages, and Debian's chromium with CJK fonts (the meeting deck's PDF and the browser tests; without the
# fonts every Chinese character would be a box).
command -v uv >/dev/null 2>&1 || python3 -m pip install --quiet uv
uv sync --frozen --quiet
if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
fi
