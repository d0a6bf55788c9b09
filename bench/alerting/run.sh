#!/usr/bin/env bash
# Alerting benchmark: the time from an error spike to the e-mail, and from its end to the all-clear, with the built-in
# evaluator as a new installation gets it (issue 6: "an alert within 2 minutes of an error spike").
# Each run: a fresh SQLite data folder, the first administrator made with `shepherd admin create` (a platform
# administrator), an SMTP sink on loopback (smtp_sink.py, Debian's python3-aiosmtpd) and a real `shepherd serve`
# (Release, DOTNET_ENVIRONMENT=Testing, the default evaluation interval) whose Shepherd:Faults make /api/v1/campuses
# answer 500 for FAULT seconds starting LEAD seconds after the start. Steady anonymous traffic (traffic.py) goes to
# /api/v1/campuses (401 before and after the fault, 500 during) and /signin (200) throughout. Measured with the wall
# clock: fault start -> first e-mail naming CriticalErrorRate FIRING (goal 120 s), split by the server's log into
# detection (-> "pending"), the rule's for-duration (-> "firing") and delivery (-> e-mail); fault end -> RESOLVED e-mail.
# Exits non-zero when an e-mail never came or the goal was missed. Writes bench/results/<UTC date>-alerting.md.
# Usage: bench/alerting/run.sh   (environment: RUNS=2, RATE=20 requests/s, LEAD=45 s, FAULT=180 s, WAIT=300 s for
#        each e-mail after the fault's start/end; every run is bounded by LEAD + FAULT + WAIT + 60 s)
set -euo pipefail
cd "$(dirname "$0")/../.."

runs=${RUNS:-2} rate=${RATE:-20} lead=${LEAD:-45} fault=${FAULT:-180} wait_mail=${WAIT:-300}
goal=120 rule=CriticalErrorRate
case ${1:-} in
  -h | --help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  "") ;;
  *) echo "bench: no arguments (see --help)" >&2; exit 2 ;;
esac
# The figure must be what a church gets: the evaluator's default interval, whatever this shell has set.
unset Shepherd__Alerting__EvaluationInterval Shepherd__Alerting__Enabled Shepherd__Alerting__NotifyPlatformAdministrators

work=$(mktemp -d /tmp/shepherd-bench-alerting.XXXXXX)
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
now() { printf '%s' "$EPOCHREALTIME"; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "") printf "-"; else printf "%.1f", a - b }'; }

# Debian's python3-aiosmtpd is for Debian's python3, which may not be the first python3 on the PATH.
py=""
for candidate in python3 /usr/bin/python3; do
  if command -v "$candidate" >/dev/null && "$candidate" -c 'import aiosmtpd' 2>/dev/null; then py=$candidate; break; fi
done
if [[ -z $py ]]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-aiosmtpd >/dev/null 2>&1 || true
  for candidate in python3 /usr/bin/python3; do
    if command -v "$candidate" >/dev/null && "$candidate" -c 'import aiosmtpd' 2>/dev/null; then py=$candidate; break; fi
  done
fi
[[ -n $py ]] || fail "python3-aiosmtpd is missing and could not be installed"
command -v curl >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl >/dev/null 2>&1; }

echo "bench: building Release..."
dotnet build src/Shepherd -c Release -o "$work/bin" -v q -nologo >/dev/null
interval="$(grep -o 'EvaluationInterval { get; set; } = TimeSpan.From[A-Za-z]*([0-9]*)' src/Shepherd/Operations/Alerting/AlertingOptions.cs \
  | sed 's/.*From\([A-Za-z]*\)(\([0-9]*\))/\2 \1/; s/ Seconds$/ s/; s/ Minutes$/ min/') (the default)"

rows=() fired=() recovered=() failures=0

# run N: one measurement; appends a row to rows, the figures to fired/recovered, counts failures.
run() {
  local n=$1 dir=$work/run$1
  mkdir -p "$dir"
  local shepherd=(env Shepherd__DataFolder="$dir/data" Shepherd__Database__Provider=Sqlite DOTNET_ENVIRONMENT=Testing dotnet "$work/bin/shepherd.dll")
  "${shepherd[@]}" migrate up >"$dir/setup.log" 2>&1 || { cat "$dir/setup.log" >&2; fail "migrate failed"; }
  "${shepherd[@]}" admin create --email admin@bench.example --password "bench passphrase 2000" \
    --organization "Bench Church" --platform-administrator >>"$dir/setup.log" 2>&1 || { cat "$dir/setup.log" >&2; fail "admin create failed"; }
  grep -q "is a platform administrator" "$dir/setup.log" || { cat "$dir/setup.log" >&2; fail "the administrator is not a platform administrator"; }

  "$py" bench/alerting/smtp_sink.py "$dir/mail.jsonl" "$dir/smtp.port" >"$dir/sink.out" 2>&1 &
  local sink=$!; pids+=("$sink")
  local deadline=$((SECONDS + 20))
  until [[ -s $dir/smtp.port ]]; do
    kill -0 "$sink" 2>/dev/null || { cat "$dir/sink.out" >&2; fail "the SMTP sink exited"; }
    ((SECONDS < deadline)) || fail "the SMTP sink did not listen within 20 s"
    sleep 0.1
  done
  local smtp_port; smtp_port=$(cat "$dir/smtp.port")
  local port; port=$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  local url=http://127.0.0.1:$port

  local start from until from_iso until_iso
  start=$(now)
  from=$(awk -v s="$start" -v l="$lead" 'BEGIN { printf "%d", s + l }')
  until=$((from + fault))
  from_iso=$(date -u -d "@$from" +%Y-%m-%dT%H:%M:%SZ)
  until_iso=$(date -u -d "@$until" +%Y-%m-%dT%H:%M:%SZ)
  # The per-client API limit (600 a minute) is for one person or integration; this traffic stands for a congregation
  # and all comes from 127.0.0.1, so it is lifted. Everything else, the evaluation interval included, is the default.
  env Shepherd__DataFolder="$dir/data" Shepherd__Database__Provider=Sqlite DOTNET_ENVIRONMENT=Testing \
    Shepherd__Mail__Host=127.0.0.1 Shepherd__Mail__Port="$smtp_port" Shepherd__Mail__Security=None \
    Shepherd__Mail__FromAddress=shepherd@bench.example Shepherd__Mail__PublicUrl="$url" \
    Shepherd__Security__RateLimits__Api__PermitLimit=1000000000 \
    Shepherd__Faults__Path=/api/v1/campuses Shepherd__Faults__From="$from_iso" Shepherd__Faults__Until="$until_iso" \
    dotnet "$work/bin/shepherd.dll" serve --urls "$url" >"$dir/serve.out" 2>&1 &
  local server=$!; pids+=("$server")
  deadline=$((SECONDS + 60))
  until [[ $(curl -s -o /dev/null -w '%{http_code}' "$url/healthz/ready" || true) == 200 ]]; do
    kill -0 "$server" 2>/dev/null || { cat "$dir/serve.out" >&2; fail "serve exited"; }
    ((SECONDS < deadline)) || { cat "$dir/serve.out" >&2; fail "serve was not ready within 60 s"; }
    sleep 0.2
  done
  local ready; ready=$(now)
  awk -v r="$ready" -v f="$from" 'BEGIN { exit !(r < f - 5) }' || fail "serve was ready only $(sub "$ready" "$start") s after the start, too close to the fault (raise LEAD)"
  local code; code=$(curl -s -o /dev/null -w '%{http_code}' "$url/api/v1/campuses")
  [[ $code == 401 ]] || fail "GET /api/v1/campuses before the fault answered $code, not 401"
  echo "bench: run $n: serve ready in $(sub "$ready" "$start") s; fault $from_iso .. $until_iso on /api/v1/campuses; traffic $rate requests/s"

  local stop_by=$((until + wait_mail))
  "$py" bench/alerting/traffic.py "$url" "$rate" $((stop_by - from + lead + 60)) /api/v1/campuses /signin >"$dir/traffic.out" 2>&1 &
  local traffic=$!; pids+=("$traffic")

  # Wait for the RESOLVED e-mail (or the FIRING one not coming within WAIT after the fault started).
  local a=""
  while :; do
    eval "$("$py" bench/alerting/analyze.py "$dir/mail.jsonl" "$rule" /dev/null)"
    [[ -n $mail_resolved ]] && break
    ((EPOCHSECONDS < stop_by)) || break
    [[ -z $mail_fired ]] && ((EPOCHSECONDS >= from + wait_mail)) && break
    kill -0 "$server" 2>/dev/null || { tail -50 "$dir/serve.out" >&2; fail "serve exited during the run"; }
    kill -0 "$traffic" 2>/dev/null || { cat "$dir/traffic.out" >&2; fail "the traffic generator stopped early"; }
    if [[ -n $mail_fired && -z $a ]]; then
      a=1; echo "bench: run $n: FIRING e-mail $(sub "$mail_fired" "$from") s after the fault started; waiting for the all-clear..."
    fi
    sleep 1
  done
  kill "$traffic" "$server" "$sink" 2>/dev/null || true
  wait "$traffic" "$server" "$sink" 2>/dev/null || true

  eval "$("$py" bench/alerting/analyze.py "$dir/mail.jsonl" "$rule" "$dir"/data/logs/*.clef "$dir/serve.out")"
  local spike recovery missed=""
  spike=$(sub "$mail_fired" "$from")
  recovery=$(sub "$mail_resolved" "$until")
  [[ -n $mail_fired ]] || { missed="no FIRING e-mail"; }
  [[ -n $mail_resolved ]] || { missed="${missed:+$missed, }no RESOLVED e-mail"; }
  [[ -n $mail_fired ]] && awk -v s="$spike" -v g="$goal" 'BEGIN { exit !(s > g) }' && missed="${missed:+$missed, }goal missed"
  [[ -z $missed ]] || failures=$((failures + 1))
  fired+=("$spike"); recovered+=("$recovery")
  local ratio; ratio=$(awk -v s="$spike" -v g="$goal" 'BEGIN { if (s == "-") printf "-"; else printf "%.2f", s / g }')
  local counts; counts=$(awk '{ c[$1 " " $2] = $3 } END { printf "campuses 401/500: %d/%d, signin 200: %d, other: ", c["/api/v1/campuses 401"], c["/api/v1/campuses 500"], c["/signin 200"]; o = 0; for (k in c) if (k != "/api/v1/campuses 401" && k != "/api/v1/campuses 500" && k != "/signin 200") o += c[k]; printf "%d", o }' "$dir/traffic.out")
  rows+=("$(printf '%3s | %9s | %5s | %9s | %8s | %8s | %10s | %9s | %s' "$n" "$spike" "$ratio" \
    "$(sub "$log_pending" "$from")" "$(sub "$log_firing" "$log_pending")" "$(sub "$mail_fired" "$log_firing")" \
    "$recovery" "$(sub "$log_resolved" "$until")" "${missed:-ok}")")
  rows+=("    | first FIRING: \"$mail_fired_subject\"; RESOLVED: \"$mail_resolved_subject\"; e-mails received: $mails; traffic: $counts")
  echo "bench: run $n: spike -> e-mail $spike s, fault end -> all-clear $recovery s${missed:+ ($missed)}"
}

for ((r = 1; r <= runs; r++)); do run "$r"; done

worst() { printf '%s\n' "$@" | awk '$1 == "-" { missing = 1 } $1 != "-" && (max == "" || $1 > max) { max = $1 } END { print (missing ? "- (an e-mail never came)" : max) }'; }
worst_fired=$(worst "${fired[@]}")
worst_recovered=$(worst "${recovered[@]}")
worst_ratio=$(awk -v s="$worst_fired" -v g="$goal" 'BEGIN { if (s + 0 == 0) printf "-"; else printf "%.2f", s / g }')
verdict=$([[ $failures -eq 0 ]] && echo "met in every run" || echo "NOT met in $failures of $runs runs")
report=$(
  echo "Alerting: error spike -> e-mail, Shepherd's built-in evaluator ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, shared machine)"
  echo "setup: fresh SQLite installation per run, platform administrator from \`shepherd admin create\`, the channel the"
  echo "evaluator creates (\"Platform administrators\", e-mail through Shepherd:Mail to a loopback SMTP sink), evaluation interval"
  echo "$interval; fault: /api/v1/campuses answers 500 for $fault s; traffic: $rate anonymous requests/s, half to"
  echo "/api/v1/campuses (401 outside the fault), half to /signin (200), so 50 % of requests fail during the fault."
  echo "rule $rule (P0): > 10 % of requests 5xx over 2 min (at least 10 requests), held 1 min. Goal: e-mail within $goal s."
  echo
  echo "run | spike->mail | /goal | ->pending | ->firing | ->e-mail | end->clear | ->resolved | result"
  echo "    |   seconds from the fault's start; ->pending, ->firing, ->e-mail split it (server log)   | seconds from the fault's end"
  printf '%s\n' "${rows[@]}"
  echo
  echo "worst spike -> e-mail: $worst_fired s (goal $goal s, ratio $worst_ratio): $verdict"
  echo "worst fault end -> RESOLVED e-mail: $worst_recovered s"
)
echo
echo "$report"
mkdir -p bench/results
result=bench/results/$(date -u +%F)-alerting.md
{
  echo "# Alerting: error spike -> e-mail ($(date -u +%F))"
  echo
  echo "Command: \`bench/alerting/run.sh\` (RUNS=$runs RATE=$rate LEAD=$lead FAULT=$fault WAIT=$wait_mail)"
  echo
  echo '```text'
  echo "$report"
  echo '```'
} >"$result"
echo "bench: written to $result"
((failures == 0))
