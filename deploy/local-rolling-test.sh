#!/usr/bin/env bash
# Proves the rolling deploy on one machine with real processes and no container engine:
# two app replicas on loopback behind a real nginx (the shipped deploy/nginx pieces), the local
# PostgreSQL and Redis, wrk sending a mix of reads, writes and redirects the whole time, while
# each replica is replaced in turn by the next release exactly as deploy/deploy.sh does it:
# start the new one, wait for /health/ready, swap it into the upstream, reload nginx, let the old
# workers drain, SIGTERM the old replica and wait for it to exit.
#
# Passes only with 0 failed requests (non-2xx/3xx answers and socket errors seen by wrk, 5xx in
# nginx's access log) and, once the redirect API exists, as many click events stored as 302s
# answered (nginx's access log, the probe redirect included: the database is new).
#
# Environment (all optional):
#   APP_JAR       jar of the running release (default: target/shortener-*.jar, built if missing)
#   NEW_JAR       jar of the next release (default: a copy of APP_JAR)
#   PGHOST/PGPORT/PGUSER   local PostgreSQL (127.0.0.1/5432/postgres); database shortener_rolling
#   REDIS_HOST/REDIS_PORT/REDIS_DB  local Redis (127.0.0.1/6379, db 5)
#   NGINX_PORT    public port of the test nginx (18080); replicas use NGINX_PORT+11..+14
#   WRK_THREADS/WRK_CONNECTIONS/WRK_DELAY_MS  load shape (2/8/10: each connection pauses 10 ms
#                 between requests so the replicas starting beside the load still get CPU on a
#                 small machine; 0 = as fast as possible); WARMUP/COOLDOWN seconds around the swaps (8/5)
#   CLIENT_KEEPALIVE=1  let wrk reuse its connections to nginx. Off by default: at each reload the
#                 old nginx workers close their idle client connections, which wrk (unlike HTTP
#                 clients that reopen and retry) counts as read errors although no request was
#                 lost; with a connection per request every socket error is a real failure.
#   READY_TIMEOUT seconds a new replica gets to become ready before the swap is abandoned (150)
#   KEEP_TMP=1    keep the temporary directory (logs, nginx config) for inspection
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
export PGHOST PGPORT PGUSER
DB_NAME=shortener_rolling
REDIS_HOST="${REDIS_HOST:-127.0.0.1}" REDIS_PORT="${REDIS_PORT:-6379}" REDIS_DB="${REDIS_DB:-5}"
NGINX_PORT="${NGINX_PORT:-18080}"
WRK_THREADS="${WRK_THREADS:-2}" WRK_CONNECTIONS="${WRK_CONNECTIONS:-8}" WRK_DELAY_MS="${WRK_DELAY_MS:-10}"
WARMUP="${WARMUP:-8}" COOLDOWN="${COOLDOWN:-5}" READY_TIMEOUT="${READY_TIMEOUT:-150}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "FAIL: $*"; exit 1; }

for tool in nginx wrk curl psql redis-cli "$JAVA"; do
  command -v "$tool" >/dev/null || die "$tool is required (Debian: nginx wrk curl postgresql-client redis-tools)"
done

TMP="$(mktemp -d /tmp/shortener-rolling.XXXXXX)"
declare -A APP_PID=()
ALL_PIDS=()
NGINX_PID=""
WRK_PID=""

cleanup() {
  local rc=$?
  if [ -n "$WRK_PID" ]; then kill "$WRK_PID" 2>/dev/null || true; fi
  for pid in "${ALL_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${ALL_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -n "$NGINX_PID" ]; then kill -QUIT "$NGINX_PID" 2>/dev/null || true; fi
  if [ "${KEEP_TMP:-0}" = 1 ] || [ $rc -ne 0 ]; then log "logs kept in $TMP"; else rm -rf "$TMP"; fi
  exit $rc
}
trap cleanup EXIT INT TERM

# --- releases -------------------------------------------------------------------------------
built_jar() { for jar in "$ROOT"/target/shortener-*.jar; do [ -f "$jar" ] && echo "$jar" && return; done; }
APP_JAR="${APP_JAR:-$(built_jar)}"
if [ -z "$APP_JAR" ] || [ ! -f "$APP_JAR" ]; then
  log "building the jar"
  (cd "$ROOT" && ./mvnw -B -q package -DskipTests) >"$TMP/build.log" 2>&1 || { cat "$TMP/build.log"; die "build failed"; }
  APP_JAR="$(built_jar)"
fi
cp "$APP_JAR" "$TMP/release-1.jar"
cp "${NEW_JAR:-$APP_JAR}" "$TMP/release-2.jar"

# --- data stores ----------------------------------------------------------------------------
psql -q -d postgres -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" -c "CREATE DATABASE $DB_NAME" \
  || die "cannot recreate database $DB_NAME on $PGHOST:$PGPORT"
redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" -n "$REDIS_DB" FLUSHDB >/dev/null || die "cannot reach Redis on $REDIS_HOST:$REDIS_PORT"

# --- replicas -------------------------------------------------------------------------------
run_app() { # port jvm-args... : becomes the app (exec), with this machine's data stores
  local port=$1
  shift
  # /metrics and the probes on a port of their own, 100 above the replica's (0: any free port)
  SERVER_ADDRESS=127.0.0.1 SERVER_PORT=$port MANAGEMENT_ADDRESS=127.0.0.1 MANAGEMENT_PORT=$((port == 0 ? 0 : port + 100)) \
  DATABASE_HOST=$PGHOST DATABASE_PORT=$PGPORT DATABASE_NAME=$DB_NAME \
  DATABASE_USER=$PGUSER DATABASE_PASSWORD="${PGPASSWORD:-}" \
  REDIS_URL="redis://$REDIS_HOST:$REDIS_PORT/$REDIS_DB" SHORTENER_DATA_DIR="$TMP/data-$port" \
  SHUTDOWN_TIMEOUT=20s DB_POOL_MAX_SIZE=10 \
    exec "$JAVA" -Xms256m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto "$@"
}

# Class-data sharing per release: the migration run writes the archive when it exits and the
# replicas of that release start from it (a shorter start under load, nothing else changes).
CDS=(-XX:SharedArchiveFile="$TMP/release-RELEASE.jsa" -XX:+AutoCreateSharedArchive)

migrate() { # release: Flyway runs once, in a process that exits after the context refresh
  local release=$1 started=$SECONDS
  (WORKER_ENABLED=false run_app 0 "${CDS[@]/RELEASE/$release}" -Dspring.context.exit=onRefresh \
    -jar "$TMP/release-$release.jar") \
    >"$TMP/migrate-$release.log" 2>&1 || die "migration of release $release failed (see $TMP/migrate-$release.log)"
  log "release $release migrated the schema in $((SECONDS - started))s"
}

start_app() { # release port
  local release=$1
  local port=$2
  run_app "$port" "${CDS[@]/RELEASE/$release}" -jar "$TMP/release-$release.jar" >"$TMP/app-$port.log" 2>&1 &
  APP_PID[$port]=$!
  ALL_PIDS+=($!)
  log "started release $release on :$port (pid ${APP_PID[$port]})"
}

wait_ready() { # port -> 0 when /health/ready answers 200 within READY_TIMEOUT
  local port=$1
  local deadline=$((SECONDS + READY_TIMEOUT))
  while [ $SECONDS -lt $deadline ]; do
    kill -0 "${APP_PID[$port]}" 2>/dev/null || { log "replica :$port exited during start"; return 1; }
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$port/health/ready")" = 200 ] && return 0
    sleep 0.5
  done
  log "replica :$port not ready after ${READY_TIMEOUT}s"
  return 1
}

stop_app() { # port: SIGTERM, then wait for the graceful shutdown to finish
  local port=$1
  local pid=${APP_PID[$port]} started=$SECONDS
  kill -TERM "$pid"
  wait "$pid" 2>/dev/null || true
  unset "APP_PID[$port]"
  log "replica :$port stopped after $((SECONDS - started))s"
}

# --- nginx ----------------------------------------------------------------------------------
mkdir -p "$TMP/nginx/shortener" "$TMP/nginx/temp"
cp "$ROOT"/deploy/nginx/{http,app,status,security-headers,real-ip}.conf "$TMP/nginx/shortener/"
# All load comes from one address here, so the per-client write limit is lifted for the test.
sed -i 's/rate=[0-9]*r\/s/rate=100000r\/s/' "$TMP/nginx/shortener/http.conf"

write_upstream() { # ports...: the same upstream block as deploy/nginx/upstream.conf
  {
    echo "upstream shortener {"
    for port in "$@"; do echo "    server 127.0.0.1:$port max_fails=3 fail_timeout=10s;"; done
    echo "    keepalive 64;"
    echo "    keepalive_timeout 30s;"
    echo "    keepalive_requests 1000;"
    echo "}"
  } >"$TMP/nginx/upstream.conf.new"
  mv "$TMP/nginx/upstream.conf.new" "$TMP/nginx/upstream.conf"
}

cat >"$TMP/nginx/nginx.conf" <<EOF
worker_processes 2;
worker_shutdown_timeout 30s;
error_log $TMP/nginx/error.log warn;
pid $TMP/nginx/nginx.pid;
events { worker_connections 1024; }
http {
    client_body_temp_path $TMP/nginx/temp/body;
    proxy_temp_path $TMP/nginx/temp/proxy;
    fastcgi_temp_path $TMP/nginx/temp/fastcgi;
    uwsgi_temp_path $TMP/nginx/temp/uwsgi;
    scgi_temp_path $TMP/nginx/temp/scgi;
    include shortener/http.conf;
    include upstream.conf;
    access_log $TMP/nginx/access.log json buffer=64k flush=1s;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        include shortener/app.conf;
    }
    server {
        listen 127.0.0.1:$((NGINX_PORT + 1));
        include shortener/status.conf;
    }
}
EOF

reload_nginx() { # validate, reload, and wait until the old workers have finished their requests
  nginx -t -q -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" || die "nginx rejected the new upstream"
  local before
  before=$(pgrep -P "$NGINX_PID" | sort)
  nginx -s reload -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf"
  local deadline=$((SECONDS + 35))
  while [ $SECONDS -lt $deadline ]; do
    local alive=0
    for pid in $before; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && return 0
    sleep 0.2
  done
  die "old nginx workers did not drain"
}

# --- run ------------------------------------------------------------------------------------
PORT_A=$((NGINX_PORT + 11)) PORT_B=$((NGINX_PORT + 12)) PORT_C=$((NGINX_PORT + 13)) PORT_D=$((NGINX_PORT + 14))
for port in $NGINX_PORT $((NGINX_PORT + 1)) $PORT_A $PORT_B $PORT_C $PORT_D; do
  ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || die "port $port is already in use"
done

migrate 1
start_app 1 $PORT_A
start_app 1 $PORT_B
wait_ready $PORT_A || die "release 1 did not start (see $TMP/app-$PORT_A.log)"
wait_ready $PORT_B || die "release 1 did not start (see $TMP/app-$PORT_B.log)"
write_upstream $PORT_A $PORT_B
nginx -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf"
sleep 0.5
NGINX_PID=$(cat "$TMP/nginx/nginx.pid")
log "nginx on :$NGINX_PORT (master $NGINX_PID) -> :$PORT_A :$PORT_B"

BASE="http://127.0.0.1:$NGINX_PORT"
# Links, then redirects, join the mix once their APIs exist in the build under test.
: >"$TMP/codes"
LINKS=0
if [ "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
      -d '{"original_url":"https://example.com/probe"}' "$BASE/urls")" = 201 ]; then
  LINKS=1
  for i in $(seq 1 50); do
    code=$(curl -s -X POST -H 'Content-Type: application/json' \
      -d "{\"original_url\":\"https://example.com/rolling/$i\"}" "$BASE/urls" \
      | sed -n 's/.*"short_code":"\([^"]*\)".*/\1/p')
    [ -n "$code" ] || die "link creation answered no short_code"
    echo "$code" >>"$TMP/codes"
  done
  if [ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/$(head -1 "$TMP/codes")")" = 302 ]; then
    log "mix: redirects over $(wc -l <"$TMP/codes") links, health, user and link creation"
  else
    : >"$TMP/codes"
    log "mix: health, user and link creation (no redirect API in this build)"
  fi
else
  log "mix: health and user creation (no /urls API in this build)"
fi
count_clicks() { psql -d $DB_NAME -Atc "SELECT count(*) FROM events WHERE event_type = 'click'"; }

cat >"$TMP/mix.lua" <<'EOF'
-- Deterministic mix per connection: redirects, liveness, user creation and link creation.
local threads = {}
local plain, json = {}, { ["Content-Type"] = "application/json" }
function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end
function init(args)
  codes = {}
  local f = io.open(args[1])
  if f then
    for line in f:lines() do if #line > 0 then codes[#codes + 1] = line end end
    f:close()
  end
  run = args[2]
  pause = tonumber(args[3])
  if args[4] ~= "1" then
    plain["Connection"] = "close"
    json["Connection"] = "close"
  end
  links = args[5] == "1"
  n = 0
  redirects = 0
  statuses = {}
end
local function create_user()
  return wrk.format("POST", "/users", json, string.format(
    '{"username":"rolling%d","email":"r%s-%d-%d@example.com"}', id, run, id, n))
end
local function create_link()
  return wrk.format("POST", "/urls", json, string.format(
    '{"original_url":"https://example.com/%s/%d/%d"}', run, id, n))
end
function request()
  n = n + 1
  local slot = n % 20
  if #codes > 0 then
    if slot < 12 then return wrk.format("GET", "/" .. codes[(n % #codes) + 1], plain) end
    if slot < 15 then return wrk.format("GET", "/health", plain) end
    if slot < 18 then return create_user() end
    return create_link()
  end
  if links then
    if slot < 8 then return wrk.format("GET", "/health", plain) end
    if slot < 14 then return create_user() end
    return create_link()
  end
  if slot < 10 then return wrk.format("GET", "/health", plain) end
  return create_user()
end
function delay()
  return pause
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 302 then redirects = redirects + 1 end
end
function done(summary, latency, requests)
  local total_redirects, by_status = 0, {}
  for _, thread in ipairs(threads) do
    total_redirects = total_redirects + thread:get("redirects")
    for status, count in pairs(thread:get("statuses")) do
      by_status[status] = (by_status[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(by_status) do parts[#parts + 1] = status .. "=" .. count end
  table.sort(parts)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d non_2xx_3xx=%d connect=%d read=%d write=%d timeout=%d redirects=%d p99_ms=%.1f\n",
    summary.requests, e.status, e.connect, e.read, e.write, e.timeout, total_redirects,
    latency:percentile(99) / 1000))
  io.write("STATUSES " .. table.concat(parts, " ") .. "\n")
end
EOF

log "wrk: $WRK_THREADS threads, $WRK_CONNECTIONS connections, ${WRK_DELAY_MS} ms pause"
wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d600s --timeout 10s -s "$TMP/mix.lua" "$BASE" \
  -- "$TMP/codes" "$(date +%s)" "$WRK_DELAY_MS" "${CLIENT_KEEPALIVE:-0}" "$LINKS" >"$TMP/wrk.out" 2>&1 &
WRK_PID=$!
warmup_until=$((SECONDS + WARMUP))

replace() { # old_port new_port other_port
  local old=$1 new=$2 other=$3
  local started=$SECONDS
  start_app 2 "$new"
  if ! wait_ready "$new"; then
    # Automatic rollback: the new replica never entered the upstream; the old one keeps serving.
    kill -TERM "${APP_PID[$new]}" 2>/dev/null || true
    die "release 2 on :$new not ready in time; rolled back (see $TMP/app-$new.log)"
  fi
  write_upstream "$other" "$new"
  reload_nginx
  log "upstream now :$other :$new; old workers drained"
  stop_app "$old"
  log "replaced :$old by :$new in $((SECONDS - started))s"
}
# The next release's migrations are backward compatible (expand/contract): they run once, before
# any replica is replaced, while release 1 keeps serving.
migrate 2
[ $SECONDS -ge $warmup_until ] || sleep $((warmup_until - SECONDS))
replace $PORT_A $PORT_C $PORT_B
replace $PORT_B $PORT_D $PORT_C

sleep "$COOLDOWN"
kill -INT "$WRK_PID"
wait "$WRK_PID" || true
WRK_PID=""
cat "$TMP/wrk.out"

# Clicks are recorded asynchronously: stopping the replicas flushes what they still hold. nginx
# is stopped too, so its access log is complete: it is the count of 302s the service answered
# (wrk misses the answers still in flight when it stops).
stop_app $PORT_C
stop_app $PORT_D
kill -QUIT "$NGINX_PID"
for _ in $(seq 1 100); do kill -0 "$NGINX_PID" 2>/dev/null || break; sleep 0.1; done
NGINX_PID=""
clicks=$(count_clicks)
answered_302=$(grep -c '"status":302' "$TMP/nginx/access.log" || true)
# Redirects that wrk abandoned when it stopped: nginx logs 499, yet the replica may have answered
# them and recorded their clicks.
abandoned=$(grep '"status":499' "$TMP/nginx/access.log" | grep '"method":"GET"' \
  | grep -Ec '"uri":"/[A-Za-z0-9_-]+",' || true)
abandoned=$(( abandoned - $(grep '"status":499' "$TMP/nginx/access.log" | grep -c '"uri":"/health",' || true) ))
errors_5xx=$(grep -c '"status":5' "$TMP/nginx/access.log" || true)

result=$(grep '^RESULT' "$TMP/wrk.out") || die "wrk printed no result"
value() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<" $result"; }
failed=$(( $(value non_2xx_3xx) + $(value connect) + $(value read) + $(value write) + $(value timeout) ))
echo "rolling deploy under load: requests=$(value requests) failed=$failed nginx_5xx=$errors_5xx" \
  "redirects_seen_by_wrk=$(value redirects) redirects_answered=$answered_302 abandoned_by_client=$abandoned" \
  "clicks=$clicks p99_ms=$(value p99_ms)"
[ "$(value requests)" -gt 0 ] || die "no request was sent"
[ "$failed" -eq 0 ] || die "$failed requests failed during the rolling deploy"
[ "$errors_5xx" -eq 0 ] || die "nginx answered $errors_5xx requests with 5xx"
if [ -s "$TMP/codes" ]; then
  [ "$(value redirects)" -gt 0 ] || die "no redirect was answered"
  [ "$clicks" -ge "$answered_302" ] && [ "$clicks" -le $((answered_302 + abandoned)) ] \
    || die "$answered_302 redirects answered ($abandoned abandoned by wrk at its stop) but $clicks click events stored"
fi
log "PASS: both replicas replaced under load, 0 failed requests"
