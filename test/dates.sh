#!/usr/bin/env bash
# `npm run test:dates`: the part of the suite where the wall clock could matter — the
# integration tests: cookies a browser keeps, Redis expiries, the CLI's, the demo's and the
# scheduler's own clock, the dashboard in Chromium; the unit tests pass every date in as an
# argument and read no clock — run with the wall clock moved by libfaketime to dates that have broken bots before:
# a year and more ahead, 23:59 Beijing time on the last day of a month, and a leap day.
# `npm run test:dates -- --all` runs the whole suite at each date instead.
#
# libfaketime moves the clock of every process started under it (Node, the CLI, Chromium).
# redis-server cannot run under it (its allocator reads the clock before the preload is ready),
# so Redis is found or started here, before the clock moves; Redis expiries are relative anyway.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v faketime >/dev/null 2>&1; then
  echo "test:dates needs faketime (Debian/Ubuntu: sudo apt-get install faketime)" >&2
  exit 1
fi

paths=(test/integration)
if [[ "${1:-}" == "--all" ]]; then paths=(); fi

redis_answers() {
  node -e '
    const s = require("net").connect(6379, "127.0.0.1");
    s.setTimeout(1000, () => process.exit(1));
    s.on("error", () => process.exit(1));
    s.on("connect", () => s.write("PING\r\n"));
    s.on("data", (d) => process.exit(String(d).startsWith("+PONG") ? 0 : 1));'
}

if [[ -z "${REDIS_URL:-}" ]] && ! redis_answers; then
  dir=$(mktemp -d)
  redis-server --port 0 --unixsocket "$dir/redis.sock" --dir "$dir" --save "" --appendonly no --daemonize yes --pidfile "$dir/redis.pid"
  trap 'kill "$(cat "$dir/redis.pid")" 2>/dev/null; rm -rf "$dir"' EXIT
  for _ in $(seq 50); do [[ -S "$dir/redis.sock" ]] && break; sleep 0.1; done
  export REDIS_URL="unix://$dir/redis.sock"
fi

# Instants in UTC; Beijing is UTC+8 all year.
month_end=$(date -u -d "$(date -u +%Y-%m-01) +1 month -1 day" +%Y-%m-%d)
dates=(
  "$(date -u -d '+400 days' +%Y-%m-%d) 02:30:00"
  "$month_end 15:59:00"
  "2028-02-29 04:00:00"
)

npm run build --silent
for at in "${dates[@]}"; do
  echo "test:dates: the wall clock reads $at UTC"
  # `@` starts the faked clock at that instant and lets it run, so timers still fire.
  faketime -f "@$at" npx vitest run "${paths[@]}"
done
