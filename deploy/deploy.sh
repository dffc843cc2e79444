#!/usr/bin/env bash
# Zero-downtime deploy of the compose stack on one host, one replica at a time.
#
#   deploy/deploy.sh IMAGE      deploy IMAGE (e.g. ghcr.io/owner/shortener:sha-1a2b3c4)
#   deploy/deploy.sh rollback   go back to the image deployed before the current one
#   deploy/deploy.sh status     show the replicas and the deploy history
#
# For each replica (app1, then app2): start a second container of the service on the new image,
# wait until Docker reports it healthy (GET /health/readiness on the management port), point nginx's upstream at it and
# reload, wait for the old nginx workers to finish their requests, stop the old container
# (SIGTERM: graceful shutdown flushes clicks), then give the upstream back its service names.
# Migrations run once, before the first swap, in a container that exits after Flyway; they must
# be backward compatible (expand/contract) because the old release keeps serving meanwhile.
# A replica that is not healthy in time is removed and every replica already replaced goes back
# to the previous image: the deploy rolls itself back and exits non-zero.
#
# Settings (environment or .env): DEPLOY_READY_TIMEOUT (180 s), DEPLOY_DRAIN_TIMEOUT (35 s),
# DEPLOY_KEEP_IMAGES (5), DEPLOY_STATE_DIR (/var/lib/shortener-deploy), DEPLOY_SKIP_PULL=1 for
# an image built on the host.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DOCKER="${DOCKER:-docker}"
ENV_FILE="$ROOT/.env"
UPSTREAM="$ROOT/deploy/nginx/upstream.conf"
NETWORK=shortener_internal
REPLICAS=(app1 app2)

env_setting() { # name default: the environment, else .env, else the default
  local name=$1 default=$2 value
  value="${!name:-}"
  if [ -z "$value" ] && [ -f "$ENV_FILE" ]; then
    value="$(sed -n "s/^$name=//p" "$ENV_FILE" | tail -1)"
  fi
  echo "${value:-$default}"
}
READY_TIMEOUT="$(env_setting DEPLOY_READY_TIMEOUT 180)"
DRAIN_TIMEOUT="$(env_setting DEPLOY_DRAIN_TIMEOUT 35)"
KEEP_IMAGES="$(env_setting DEPLOY_KEEP_IMAGES 5)"
STATE_DIR="$(env_setting DEPLOY_STATE_DIR /var/lib/shortener-deploy)"
HISTORY="$STATE_DIR/history"

log() { printf '%s deploy: %s\n' "$(date -u +%FT%TZ)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

compose() { "$DOCKER" compose --project-directory "$ROOT" -f "$ROOT/docker-compose.yml" "$@"; }

current_image() { env_setting APP_IMAGE ""; }

set_current_image() { # keeps `docker compose up -d` on the deployed image
  local image=$1
  if grep -q '^APP_IMAGE=' "$ENV_FILE" 2>/dev/null; then
    sed -i "s|^APP_IMAGE=.*|APP_IMAGE=$image|" "$ENV_FILE"
  else
    echo "APP_IMAGE=$image" >>"$ENV_FILE"
  fi
}

# --- nginx ----------------------------------------------------------------------------------
# Inside the nginx container: reload, then wait until the workers that ran before the reload have
# exited, i.e. finished their in-flight requests. Exit 3: still draining at the deadline.
# shellcheck disable=SC2016 # expanded inside the container
RELOAD_AND_DRAIN='old=$(pgrep -f "nginx: worker process"); nginx -s reload || exit 1
end=$(( $(date +%s) + '"$DRAIN_TIMEOUT"' ))
while [ "$(date +%s)" -lt "$end" ]; do
  alive=0; for p in $old; do kill -0 "$p" 2>/dev/null && alive=1; done
  [ "$alive" = 0 ] && exit 0; sleep 0.2
done
exit 3'

reload_nginx() { # validate, reload, then let the old workers finish their requests
  compose exec -T nginx nginx -t -q || return 1
  local status=0
  compose exec -T nginx sh -c "$RELOAD_AND_DRAIN" || status=$?
  case $status in
    0) ;;
    3) log "old nginx workers still draining after ${DRAIN_TIMEOUT}s" ;;
    *) return 1 ;;
  esac
}

STEADY_UPSTREAM="$UPSTREAM.steady"

point_upstream() { # service address: the service's line goes to one container's address
  local service=$1 address=$2
  [ -f "$STEADY_UPSTREAM" ] || cp "$UPSTREAM" "$STEADY_UPSTREAM"
  sed "s|server $service:8080 |server $address:8080 |" "$STEADY_UPSTREAM" >"$UPSTREAM.next"
  grep -q "server $address:8080 " "$UPSTREAM.next" || die "no 'server $service:8080' line in $UPSTREAM"
  mv "$UPSTREAM.next" "$UPSTREAM"
  reload_nginx
}

restore_upstream() { # back to service names (each resolves to its one container again)
  if [ -f "$STEADY_UPSTREAM" ]; then
    mv "$STEADY_UPSTREAM" "$UPSTREAM"
    reload_nginx || log "nginx reload failed while restoring the upstream"
  fi
}

# --- replicas -------------------------------------------------------------------------------
containers_of() { compose ps -q "$1" 2>/dev/null; }

address_of() { "$DOCKER" inspect -f "{{(index .NetworkSettings.Networks \"$NETWORK\").IPAddress}}" "$1"; }

wait_healthy() { # container: 0 once Docker's healthcheck (management port, GET /health/readiness) passes
  local container=$1 deadline=$((SECONDS + READY_TIMEOUT)) state
  while [ $SECONDS -lt "$deadline" ]; do
    state="$("$DOCKER" inspect -f '{{.State.Status}}/{{if .State.Health}}{{.State.Health.Status}}{{end}}' "$container" 2>/dev/null || echo gone/)"
    case "$state" in
      running/healthy) return 0 ;;
      exited/* | dead/* | gone/*) log "container $container stopped while starting ($state)"; return 1 ;;
    esac
    sleep 2
  done
  log "container $container not healthy after ${READY_TIMEOUT}s"
  return 1
}

stop_container() { # SIGTERM, up to the compose stop_grace_period, then remove
  "$DOCKER" stop -t 30 "$1" >/dev/null || true
  "$DOCKER" rm "$1" >/dev/null || true
}

replace_replica() { # service image: 0 when the service runs image and serves, else cleans up
  local service=$1 image=$2 old new
  old="$(containers_of "$service")"
  [ "$(wc -w <<<"$old")" -le 1 ] || die "$service has several containers ($old): finish or clean up the last deploy first"
  APP_IMAGE="$image" compose up -d --no-deps --no-recreate --scale "$service=2" "$service" >/dev/null
  new="$(containers_of "$service" | grep -vx "${old:-none}" | head -1)"
  [ -n "$new" ] || die "no new container for $service"
  log "$service: new container ${new:0:12} on $image, waiting for readiness"
  if ! wait_healthy "$new"; then
    "$DOCKER" logs --tail 50 "$new" >&2 || true
    stop_container "$new"
    return 1
  fi
  if [ -n "$old" ]; then
    point_upstream "$service" "$(address_of "$new")" || { stop_container "$new"; restore_upstream; return 1; }
    log "$service: nginx sends traffic to ${new:0:12}; stopping ${old:0:12}"
    stop_container "$old"
    restore_upstream
  else
    reload_nginx
  fi
  log "$service: replaced"
}

migrate() { # image: Flyway runs once in a container that exits after the context refresh
  local image=$1
  log "migrating the schema with $image"
  APP_IMAGE="$image" compose run --rm --no-deps -T \
    -e WORKER_ENABLED=false -e JAVA_TOOL_OPTIONS=-Dspring.context.exit=onRefresh \
    app1 >/dev/null || die "migration failed: nothing was replaced"
}

# --- history --------------------------------------------------------------------------------
record() { mkdir -p "$STATE_DIR"; echo "$(date -u +%FT%TZ) $1" >>"$HISTORY"; }

prune_images() { # keep the images of the last DEPLOY_KEEP_IMAGES deploys for rollbacks
  [ -f "$HISTORY" ] || return 0
  local keep
  keep="$(awk '{print $2}' "$HISTORY" | tac | awk '!seen[$0]++' | head -n "$KEEP_IMAGES")"
  local repository="${1%:*}"
  "$DOCKER" image ls --format '{{.Repository}}:{{.Tag}}' "$repository" 2>/dev/null | while read -r image; do
    grep -qxF "$image" <<<"$keep" || "$DOCKER" image rm "$image" >/dev/null 2>&1 || true
  done
}

deploy() { # image [skip-migrations]
  local image=$1 skip_migrations=${2:-} previous replaced=()
  previous="$(current_image)"
  exec 9>"$STATE_DIR/lock"
  flock -n 9 || die "another deploy is running"
  if [ "${DEPLOY_SKIP_PULL:-0}" != 1 ]; then
    log "pulling $image"
    "$DOCKER" pull -q "$image" >/dev/null || die "cannot pull $image"
  fi
  if [ -z "$(containers_of nginx)" ]; then
    log "stack not running: first start on $image"
    APP_IMAGE="$image" compose up -d --no-build --wait
    set_current_image "$image"
    record "$image"
    return 0
  fi
  trap 'restore_upstream' EXIT
  [ -n "$skip_migrations" ] || migrate "$image"
  for service in "${REPLICAS[@]}"; do
    if replace_replica "$service" "$image"; then
      replaced+=("$service")
      continue
    fi
    log "$service did not become ready on $image: rolling back to ${previous:-the running image}"
    for back in "${replaced[@]}"; do
      replace_replica "$back" "$previous" || log "$back could not go back to $previous: check it by hand"
    done
    die "deploy of $image failed and was rolled back"
  done
  trap - EXIT
  set_current_image "$image"
  record "$image"
  prune_images "$image"
  log "deployed $image"
}

case "${1:-}" in
  "" | -h | --help)
    sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'
    ;;
  status)
    compose ps
    if [ -f "$HISTORY" ]; then tail -n "$KEEP_IMAGES" "$HISTORY"; fi
    ;;
  rollback)
    [ -f "$HISTORY" ] || die "no deploy history in $HISTORY"
    current="$(current_image)"
    # The latest deployed image that is neither the current one nor one rolled back from.
    target="$(awk -v current="$current" '
      $3 == "rolled-back-from" { bad[$4] = 1 }
      { images[NR] = $2 }
      END { for (i = NR; i > 0; i--) if (images[i] != current && !(images[i] in bad)) { print images[i]; exit } }
    ' "$HISTORY")"
    [ -n "$target" ] || die "no earlier image than $current in $HISTORY"
    log "rolling back from $current to $target (schema stays: migrations are backward compatible)"
    mkdir -p "$STATE_DIR"
    DEPLOY_SKIP_PULL=1 deploy "$target" skip-migrations
    sed -i '$ s|$| rolled-back-from '"$current"'|' "$HISTORY"
    ;;
  *)
    mkdir -p "$STATE_DIR"
    deploy "$1"
    ;;
esac
