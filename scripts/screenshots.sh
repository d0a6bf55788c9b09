#!/usr/bin/env bash
# Takes the Operations page screenshots for docs/operations/monitoring.md: a throwaway SQLite Shepherd with seed-demo
# data and some API load, signed in with a monitoring token, photographed by headless Chromium.
# Chromium cannot sign in by itself, so curl signs in (form + antiforgery token) and a small loopback proxy adds the
# session cookie to Chromium's requests. Nothing here enters the tests. Needs: chromium, curl, python3.
# Usage: scripts/screenshots.sh [output folder, default docs/operations/images]
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/docs/operations/images}
port=${SHEPHERD_SCREENSHOT_PORT:-5091}
proxy_port=$((port + 1))
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

dotnet build "$root/src/Shepherd" -v quiet -nologo >/dev/null
shepherd=("$root/src/Shepherd/bin/Debug/net10.0/shepherd")
export Shepherd__DataFolder=$work/data
base=http://127.0.0.1:$port

"${shepherd[@]}" seed-demo --members 500 --weeks 8 >/dev/null
"${shepherd[@]}" admin create --email ops@example.org --password "correct horse battery staple" --organization "Demo Church" >/dev/null
token() { "${shepherd[@]}" admin token --email ops@example.org --name "$1" --scope "$2" | grep -o 'shp_[A-Za-z0-9_-]*' | head -1; }
monitoring=$(token browser monitoring)
reader=$(token load read)

"${shepherd[@]}" serve --urls "$base" >"$work/serve.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 60); do curl -fs -o /dev/null "$base/healthz/live" && break; sleep 0.5; done

# Some traffic, so the tables and charts have something to show.
for i in $(seq 1 300); do
  for path in /api/v1/people?limit=50 /api/v1/families /api/v1/groups /api/v1/campuses /api/v1/people/999999999; do
    curl -s -o /dev/null -H "Authorization: Bearer $reader" "$base$path"
  done
done

# Sign in the way a browser does: the form's antiforgery token and its cookie, then the token.
jar=$work/cookies
form=$(curl -fs -c "$jar" -b "$jar" "$base/signin")
antiforgery=$(grep -o 'name="__RequestVerificationToken" type="hidden" value="[^"]*"' <<<"$form" | sed 's/.*value="//; s/"$//')
curl -fs -o /dev/null -c "$jar" -b "$jar" --data-urlencode "__RequestVerificationToken=$antiforgery" --data-urlencode "Token=$monitoring" "$base/signin"
session=$(awk '$6 == "shepherd.session" { print $7 }' "$jar")
[[ -n $session ]] || { echo "screenshots: sign-in failed" >&2; exit 1; }

python3 - "$proxy_port" "$base" "shepherd.session=$session" >"$work/proxy.log" 2>&1 <<'PY' &
import http.server, sys, urllib.request
port, upstream, cookie = int(sys.argv[1]), sys.argv[2], sys.argv[3]
class Proxy(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        request = urllib.request.Request(upstream + self.path, headers={"Cookie": cookie})
        try:
            response = urllib.request.urlopen(request)
        except urllib.error.HTTPError as e:
            response = e
        body = response.read()
        self.send_response(response.status)
        self.send_header("Content-Type", response.headers.get("Content-Type", "text/html"))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
http.server.HTTPServer(("127.0.0.1", port), Proxy).serve_forever()
PY
pids+=($!)
for _ in $(seq 1 20); do curl -fs -o /dev/null "http://127.0.0.1:$proxy_port/css/site.css" && break; sleep 0.25; done

mkdir -p "$out"
shoot() { # name url width height
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$work/chromium" \
    --window-size="$3,$4" --screenshot="$out/$1.png" "$2" >/dev/null 2>&1
  echo "screenshots: $out/$1.png"
}
shoot operations "http://127.0.0.1:$proxy_port/operations" 1280 2600
shoot operations-phone "http://127.0.0.1:$proxy_port/operations" 390 1400
shoot signin "$base/signin" 1000 520
