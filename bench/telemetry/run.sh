#!/usr/bin/env bash
# Telemetry overhead benchmark: the same read endpoint (GET /api/v1/people?pageSize=20 with a read token) on two
# `shepherd serve` processes over copies of the same SQLite data, one with the defaults (OpenTelemetry metrics, one
# request log line per request to the log file and to stdout, redirected to a file) and one with
# Shepherd:Telemetry:Enabled=false and Shepherd:Logs:RequestLogging=false. Both servers share one CPU and are loaded at
# the same time in every round, so machine noise hits both alike and each turns its fair share of the CPU into requests
# at its own cost per request; the overhead is 1 - the median of the per-round throughput ratios on/off.
# Goal: < 5 %. Exits non-zero only when the benchmark cannot run, never for missing the goal.
# Usage: bench/telemetry/run.sh [--members N] [--rounds R] [--seconds S] [--warmup S] [--connections C] [--no-pin]
#                               [--on-setting Key__Name=value]...  (e.g. Shepherd__Logs__RequestLogging=false, to see what one part costs)
#   defaults: 2000 members, 5 rounds of 10 s, 15 s warm-up (JIT tiering), 8 connections per server; on a machine with at
#   least 2 CPUs both servers are pinned to CPU 0 and the load generators to CPU 1.
set -euo pipefail
cd "$(dirname "$0")/../.."

members=2000 rounds=5 seconds=10 warmup=15 connections=8 pin=1 on_settings=()
while (($#)); do
  case $1 in
    --members) members=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --no-pin) pin=0; shift ;;
    --on-setting) on_settings+=("$2"); shift 2 ;;
    -h | --help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ $(nproc) -ge 2 ]] || pin=0

work=$(mktemp -d /tmp/shepherd-bench-telemetry.XXXXXX)
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
fail() { echo "bench: $*" >&2; exit 1; }

apt_install() { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null 2>&1; }
command -v wrk >/dev/null || apt_install wrk
command -v wrk >/dev/null || fail "wrk is missing and could not be installed"
command -v curl >/dev/null || apt_install curl

echo "bench: building Release..."
dotnet build src/Shepherd -c Release -o "$work/bin" -v q -nologo >/dev/null
shepherd() { Shepherd__DataFolder=$work/data Shepherd__Database__Provider=Sqlite dotnet "$work/bin/shepherd.dll" "$@"; }

echo "bench: seeding $members members..."
shepherd migrate up >/dev/null
shepherd seed-demo --members "$members" --organization "Demo Church" >/dev/null
shepherd admin create --email bench@example.org --password "bench passphrase 2000" --organization "Demo Church" >/dev/null
token() { shepherd admin token --email bench@example.org --name "bench-$1" --scope "$1" 2>>"$work/token.err" | grep -o 'shp_[^[:space:]]*' | tail -1; }
read_token=$(token read)
monitoring_token=$(token monitoring)
[[ -n $read_token && -n $monitoring_token ]] || { cat "$work/token.err" >&2; fail "no API token was printed"; }
cp -a "$work/data" "$work/on"
cp -a "$work/data" "$work/off"

# start NAME [settings...]: a `serve` on a free loopback port over $work/NAME, stdout and stderr to $work/NAME.out.
declare -A url pid
start() {
  local name=$1; shift
  local cpu=(); ((pin)) && cpu=(taskset -c 0)
  # The per-token API limit is for people and integrations, not for wrk: lifted on both servers alike.
  env Shepherd__DataFolder="$work/$name" Shepherd__Database__Provider=Sqlite Shepherd__Jobs__Enabled=false \
    Shepherd__Security__RateLimits__Api__PermitLimit=1000000000 "$@" \
    "${cpu[@]}" dotnet "$work/bin/shepherd.dll" serve --urls http://127.0.0.1:0 >"$work/$name.out" 2>&1 &
  pid[$name]=$!
  pids+=($!)
  local deadline=$((SECONDS + 60)) address=""
  while [[ -z $address ]]; do
    kill -0 "${pid[$name]}" 2>/dev/null || { cat "$work/$name.out" >&2; fail "serve ($name) exited"; }
    ((SECONDS < deadline)) || fail "serve ($name) did not listen within 60 s"
    address=$(grep -o 'http://127\.0\.0\.1:[1-9][0-9]*' "$work/$name.out" 2>/dev/null | head -1 || true)
    [[ -n $address ]] || sleep 0.2
  done
  url[$name]=$address
}
start on "${on_settings[@]}"
start off Shepherd__Telemetry__Enabled=false Shepherd__Logs__RequestLogging=false

status() { curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $2" "${url[$1]}$3"; }
for name in on off; do
  code=$(status "$name" "$read_token" "/api/v1/people?pageSize=20")
  [[ $code == 200 ]] || fail "GET /api/v1/people on $name answered $code"
done
[[ $(status on "$monitoring_token" /metrics) == 200 ]] || fail "/metrics is not served with telemetry on"
[[ $(status off "$monitoring_token" /metrics) == 404 ]] || fail "/metrics is still served with telemetry off"

load_cpu=(); ((pin)) && load_cpu=(taskset -c 1)
# load SECONDS NAME...: one wrk per server, all at the same time, so every server lives through the same machine noise;
# the servers share one CPU, where each gets a fair share and turns it into requests at its own cost per request.
# Prints one "rps p50 p95 p99 rss_mib" line per server, in the order given.
load() {
  local seconds=$1; shift
  local name waits=()
  for name in "$@"; do
    "${load_cpu[@]}" wrk -t1 -c"$connections" -d"$seconds"s --timeout 5s -s bench/telemetry/report.lua \
      -H "Authorization: Bearer $read_token" "${url[$name]}/api/v1/people?pageSize=20" >"$work/wrk-$name.txt" 2>&1 &
    waits+=($!)
  done
  for name in "${waits[@]}"; do wait "$name" || fail "wrk failed: $(cat "$work"/wrk-*.txt)"; done
  for name in "$@"; do
    local requests duration status_errors socket_errors p50 p95 p99
    read -r _ requests duration status_errors socket_errors p50 p95 p99 <<<"$(grep '^RESULT ' "$work/wrk-$name.txt")" \
      || fail "no result from wrk: $(cat "$work/wrk-$name.txt")"
    ((status_errors == 0 && socket_errors == 0)) || fail "$name: $status_errors non-2xx responses and $socket_errors socket errors"
    local rss; rss=$(awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/${pid[$name]}/status")
    awk -v r="$requests" -v d="$duration" -v a="$p50" -v b="$p95" -v c="$p99" -v m="$rss" \
      'BEGIN { printf "%.0f %.2f %.2f %.2f %s\n", r / d, a, b, c, m }'
  done
}

echo "bench: warm-up ${warmup} s..."
load "$warmup" on off >/dev/null

echo "bench: $rounds rounds of ${seconds} s, both servers loaded at once..."
rows=() ratios=() on_rps=() off_rps=()
for ((r = 1; r <= rounds; r++)); do
  mapfile -t result < <(load "$seconds" on off)
  read -r a_rps a50 a95 a99 arss <<<"${result[0]}"
  read -r b_rps b50 b95 b99 brss <<<"${result[1]}"
  ratio=$(awk -v a="$a_rps" -v b="$b_rps" 'BEGIN { printf "%.4f", a / b }')
  on_rps+=("$a_rps"); off_rps+=("$b_rps"); ratios+=("$ratio")
  rows+=("$(printf '%5s %8s %8s %8s %8s %7s %-1s %8s %8s %8s %8s %7s %7s' "$r" \
    "$a_rps" "$a50" "$a95" "$a99" "$arss" "" "$b_rps" "$b50" "$b95" "$b99" "$brss" "$ratio")")
done
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
m_on=$(printf '%.0f' "$(median "${on_rps[@]}")"); m_off=$(printf '%.0f' "$(median "${off_rps[@]}")")
m_ratio=$(printf '%.4f' "$(median "${ratios[@]}")")
overhead=$(awk -v x="$m_ratio" 'BEGIN { printf "%.1f", (1 - x) * 100 }')
goal=$(awk -v o="$overhead" 'BEGIN { print (o < 5 ? "met" : "missed") }')
lines() { cat "$work/$1.out" "$work/$1"/logs/*.clef 2>/dev/null | wc -l; }

echo
echo "Telemetry overhead: GET /api/v1/people?pageSize=20 (read token), seed-demo $members members, SQLite,"
echo "wrk 1 thread $connections connections per server, both servers loaded at once for ${seconds} s per round, $(nproc) CPUs$( ((pin)) && echo ', both servers sharing CPU 0, wrk on CPU 1')"
echo "on  = defaults (OpenTelemetry metrics, monitoring API, request log line to file and stdout->file)${on_settings[*]:+ with ${on_settings[*]}}"
echo "off = Shepherd:Telemetry:Enabled=false, Shepherd:Logs:RequestLogging=false"
printf '%5s %8s %8s %8s %8s %7s %-1s %8s %8s %8s %8s %7s %7s\n' round \
  on_rps p50_ms p95_ms p99_ms rss_mib "|" off_rps p50_ms p95_ms p99_ms rss_mib on/off
printf '%s\n' "${rows[@]}"
echo "median throughput: on $m_on req/s, off $m_off req/s; median per-round ratio on/off $m_ratio"
echo "telemetry overhead: $overhead % (goal < 5 %: $goal)"
echo "log lines written (stdout + files): on $(lines on), off $(lines off)"
