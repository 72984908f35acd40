#!/usr/bin/env bash
# Contract fuzzing: Schemathesis against a real gunicorn (DJANGO_DEBUG=0) serving a throwaway SQLite
# database, driven by the server's own /api/schema/. Every check, every mode, every phase, a fixed seed.
# Usage: scripts/fuzz.sh  (or `make fuzz`). Env: FUZZ_SEED, FUZZ_EXAMPLES, FUZZ_TIMEOUT, FUZZ_PORT, and
# FUZZ_EXTRA_ARGS to narrow a run while debugging (e.g. '--include-name "POST /api/v1/conversations"').
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${BIN:-.venv/bin}
SEED=${FUZZ_SEED:-20261126}
EXAMPLES=${FUZZ_EXAMPLES:-100}
TIMEOUT=${FUZZ_TIMEOUT:-1500}
PORT=${FUZZ_PORT:-$("$BIN/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
WORK=$(mktemp -d)
REPORT_DIR=${FUZZ_REPORT_DIR:-$WORK/report}

export DJANGO_DEBUG=0
export DJANGO_SECRET_KEY="fuzz-$("$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(48))')"
export DATABASE_URL="sqlite:///$WORK/fuzz.sqlite3"
export MEDIA_ROOT="$WORK/media"  # the imports the fuzzer uploads
export DJANGO_ALLOWED_HOSTS=127.0.0.1
# Plain http on loopback: the production HTTPS switches are turned off for this local server only.
export DJANGO_SECURE_SSL_REDIRECT=0 DJANGO_SECURE_COOKIES=0 DJANGO_SECURE_HSTS_SECONDS=0
# The fuzzer sends thousands of requests a minute; the limit itself is tested in the pytest suite.
export API_RATE_LIMIT_REQUESTS=1000000
# Likewise the failed-authentication lock-out: with every operation probed with a bad key, a run of 45+
# operations passes its 20 a minute, and the lock-out's 429 would stand in for the 401 being checked.
export API_AUTH_FAILURE_LIMIT=1000000
export LOG_LEVEL=WARNING
unset REDIS_URL

GUNICORN_PID=
cleanup() {
    if [ -n "$GUNICORN_PID" ]; then kill "$GUNICORN_PID" 2>/dev/null || true; wait "$GUNICORN_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

"$BIN/python" manage.py migrate --verbosity 0
KEY=$("$BIN/python" manage.py create_api_key fuzz --name "schemathesis" | tail -n 1)

"$BIN/gunicorn" contacts_site.wsgi --bind "127.0.0.1:$PORT" --workers 2 --timeout 30 \
    --error-logfile "$WORK/gunicorn.log" >>"$WORK/gunicorn.log" 2>&1 &
GUNICORN_PID=$!

for _ in $(seq 1 50); do
    if curl -fsS -o /dev/null "http://127.0.0.1:$PORT/api/schema/" 2>/dev/null; then break; fi
    sleep 0.2
done

# Something to find: a webhook with a delivery, a contact and an agent of this key's sub-account, named in the
# run's configuration (the fuzzer cannot guess ids that exist).
api_post() {
    curl -fsS -X POST "http://127.0.0.1:$PORT$1" -H "Authorization: Bearer $KEY" \
        -H "Content-Type: application/json" -d "$2" | "$BIN/python" -c 'import json, sys; print(json.load(sys.stdin)["id"])'
}
WEBHOOK_ID=$(api_post /api/v1/webhooks '{"url": "https://hooks.example.com/fuzz", "events": ["*"]}')
CONTACT_ID=$(api_post /api/v1/contacts '{"name": "Fuzz Target", "tags": ["fuzz"]}')
DELIVERY_ID=$(curl -fsS "http://127.0.0.1:$PORT/api/v1/webhooks/$WEBHOOK_ID/deliveries" -H "Authorization: Bearer $KEY" |
    "$BIN/python" -c 'import json, sys; print(json.load(sys.stdin)["data"][0]["id"])')
AGENT_ID=$("$BIN/python" manage.py shell -c "
from django.contrib.auth import get_user_model
from accounts.models import Membership, SubAccount
agent = get_user_model().objects.create_user('fuzz-agent')
Membership.objects.create(user=agent, sub_account=SubAccount.objects.get(slug='fuzz'))
print(agent.pk)" 2>/dev/null | tail -n 1)
CONFIG="$WORK/schemathesis.toml"
cat scripts/schemathesis.toml - >"$CONFIG" <<TOML

# Ids that exist, made above: a generated id is almost never one, so a delivery, a conversation's
# contact_id and its assignee would only ever meet a 404 or a 400. (Conversations and webhooks are reached
# through the Location of the ones the fuzzer creates: a fixed id there would stand in for the created one
# in the stateful checks, and be gone once a DELETE took it.)
[parameters]
"path.delivery_id" = "$DELIVERY_ID"
"body.contact_id" = "$CONTACT_ID"
"body.assignee" = $AGENT_ID
TOML

echo "== schemathesis: seed $SEED, $EXAMPLES examples per operation, server http://127.0.0.1:$PORT"
status=0
SCHEMATHESIS_HOOKS=scripts.fuzz_hooks timeout "$TIMEOUT" "$BIN/schemathesis" --config-file "$CONFIG" run "http://127.0.0.1:$PORT/api/schema/" \
    --url "http://127.0.0.1:$PORT" \
    --header "Authorization: Bearer $KEY" \
    --checks all \
    --mode all \
    --phases examples,coverage,fuzzing,stateful \
    --seed "$SEED" \
    --max-examples "$EXAMPLES" \
    --generation-database none \
    --request-timeout 10 \
    --workers 1 \
    --no-color \
    --report junit --report-dir "$REPORT_DIR" \
    ${FUZZ_EXTRA_ARGS:-} || status=$?
if [ "$status" -ne 0 ]; then
    echo "== fuzz FAILED (exit $status); server log:"
    tail -n 50 "$WORK/gunicorn.log" || true
fi
exit "$status"
