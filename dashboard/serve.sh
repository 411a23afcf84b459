#!/usr/bin/env bash
# One command on a fresh machine: install, build the warehouse from the shipped sample data, serve the app.
#   bash dashboard/serve.sh            (then open http://localhost:8501)
# PORT=8600 changes the port; ECMON_HOME chooses where the kept files and the warehouse live.
# Sign-in: SECRETS=/etc/ecmon/secrets.toml names a Streamlit secrets file with an [auth] section (an OpenID Connect
# provider: the province's unified identity, or the bureau's Keycloak); without it the app is read-only for everyone.
# ECMON_DEMO_LOGIN=1 switches on demo accounts (never for real data: every page says so).
# Only this machine can open the app (ADDRESS=localhost). ADDRESS=0.0.0.0 (or one interface's address) opens it to
# the network; do that only with SECRETS set, behind https.
set -euo pipefail
cd "$(dirname "$0")/.."
source dashboard/install.sh
# The sample files with their send dates (data/sample/manifest/报送日期.csv, `python -m etl load --dates`): every
# report, then each correction (*_9_*) in a load of its own, changing a value already published (已更正 on 总览).
uv run python -m etl.sample load data/sample
SIGN_IN=()
[ -n "${SECRETS:-}" ] && SIGN_IN=(--secrets.files "$SECRETS")
exec uv run streamlit run dashboard/app.py --server.port "${PORT:-8501}" --server.address "${ADDRESS:-localhost}" \
  --server.headless true "${SIGN_IN[@]}"
