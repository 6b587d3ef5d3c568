#!/usr/bin/env bash
# npm run bench:global-fit: the Node server on a free port, the global-fit bench against it, the server stopped.
set -euo pipefail
cd "$(dirname "$0")/../../.."
PORT=${PORT:-8791}
PYTHON=$( [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || echo python3 )
node_modules/.bin/tsx functions/node.ts --port "$PORT" > /dev/null 2>&1 &
SERVER=$!
trap 'pkill -f "functions/node.ts --port $PORT" 2>/dev/null; kill $SERVER 2>/dev/null' EXIT
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$PORT/v1/likelihoods" > /dev/null && break; sleep 0.5; done
LIKELIHOOD_SERVICE_URL="http://127.0.0.1:$PORT" "$PYTHON" clients/python/bench/global_fit.py
