#!/usr/bin/env bash
# A stand-in for the docker CLI, enough for deploy/deploy.sh: containers are files under
# $FAKE_DOCKER_STATE/<service>/<id> holding their image. Every call is appended to
# $FAKE_DOCKER_STATE/calls; each nginx reload also records the upstream file it loaded.
# A container whose image is $FAKE_BAD_IMAGE never becomes healthy (only in the service
# $FAKE_BAD_SERVICE when that is set).
set -euo pipefail
state="$FAKE_DOCKER_STATE"
mkdir -p "$state"
echo "$*" >>"$state/calls"

service_of() { local f; f=$(ls "$state"/*/"$1" 2>/dev/null | head -1); [ -n "$f" ] && basename "$(dirname "$f")"; }

if [ "$1" = compose ]; then
  shift
  root=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --project-directory) root=$2; shift 2 ;;
      -f) shift 2 ;;
      *) break ;;
    esac
  done
  command=$1
  shift
  case "$command" in
    ps)
      [ "$1" = -q ] && shift
      ls "$state/$1" 2>/dev/null || true
      ;;
    up)
      scale="" target=""
      while [ $# -gt 0 ]; do
        case "$1" in
          --scale) scale=${2#*=}; shift 2 ;;
          -*) shift ;;
          *) target=$1; shift ;;
        esac
      done
      mkdir -p "$state/$target"
      while [ "$(ls "$state/$target" | wc -l)" -lt "${scale:-1}" ]; do
        id="c$(date +%s%N | tail -c 9)$RANDOM"
        echo "$APP_IMAGE" >"$state/$target/$id"
      done
      ;;
    run)
      echo "migrate $APP_IMAGE" >>"$state/calls"
      ;;
    exec)
      [ "$1" = -T ] && shift
      shift # the service (nginx)
      case "$*" in
        *"nginx -s reload"*) { echo "reload:"; cat "$root/deploy/nginx/upstream.conf"; } >>"$state/calls" ;;
      esac
      ;;
  esac
  exit 0
fi

case "$1" in
  pull | logs) ;;
  inspect)
    format=$3 id=$4
    service=$(service_of "$id") || { echo "gone/"; exit 1; }
    if [[ $format == *IPAddress* ]]; then
      echo "10.0.0.${id: -3}"
    elif [ "$(cat "$state/$service/$id")" = "${FAKE_BAD_IMAGE:-}" ] && [ "${FAKE_BAD_SERVICE:-$service}" = "$service" ]; then
      echo "running/unhealthy"
    else
      echo "running/healthy"
    fi
    ;;
  stop) ;;
  rm)
    service=$(service_of "$2") && rm "$state/$service/$2"
    ;;
  image) ;;
esac
