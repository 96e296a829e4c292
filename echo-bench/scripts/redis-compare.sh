#!/usr/bin/env bash
# The real-client comparison of the performance issue: redis-benchmark against three echo-kv members (fsync on,
# loopback TCP, linearizable reads) and, in the same run, against one durable redis-server
# (--appendonly yes --appendfsync always). Run it as:
#   bin/echo-bench redis [--clients 1,64,256] [--requests N] [--pipeline N] [--warmup SECONDS]
# (--pipeline: commands per request, -P). Both servers get the same warm-up first (default 20 s of SET and GET at
# c=64): echo-kv runs on a JIT-compiling JVM, and its first seconds measure the compiler, not the server.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
clients="1,64,256"
requests=20000
pipeline=1
warmup=20
while [ $# -gt 0 ]; do
  case "$1" in
    --clients) clients="$2"; shift 2 ;;
    --requests) requests="$2"; shift 2 ;;
    --pipeline) pipeline="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --help|-h)
      sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
      exit 0 ;;
    *) echo "redis-compare: unknown option $1" >&2; exit 2 ;;
  esac
done
for tool in redis-benchmark redis-server redis-cli; do
  command -v "$tool" >/dev/null || { echo "redis-compare: needs $tool (Debian: apt-get install redis-server redis-tools)" >&2; exit 2; }
done

work="$(mktemp -d "${TMPDIR:-/tmp}/echo-redis-compare.XXXXXX")"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

. "$root/bin/lib/free-port.sh" # free_port

members=""
declare -A client_port
for id in n1 n2 n3; do
  peer=$(free_port); client_port[$id]=$(free_port)
  members="${members:+$members,}$id=127.0.0.1:$peer"
done
# The members authenticate each other with a cluster key, as echo-kv requires by default: that is what is measured.
(umask 077 && head -c 32 /dev/urandom > "$work/cluster.key")
# --journal-spin 0: the three members share the machine's cores with one another and with redis-benchmark, so an idle
# journal writer parks at once instead of polling (as the end-to-end benchmark's members do; docs/benchmarks.md).
for id in n1 n2 n3; do
  ECHO_KV_JAVA_OPTS="-Xmx1g" "$root/bin/echo-kv" --id "$id" --data "$work/$id" --members "$members" --journal-spin 0 \
    --client "127.0.0.1:${client_port[$id]}" --key-file "$work/cluster.key" > "$work/$id.log" 2>&1 &
  pids+=($!)
done
leader_port=""
for _ in $(seq 1 600); do
  for id in n1 n2 n3; do
    if redis-cli -p "${client_port[$id]}" INFO 2>/dev/null | grep -q '^role:leader'; then
      leader_port=${client_port[$id]}; break 2
    fi
  done
  sleep 0.1
done
[ -n "$leader_port" ] || { echo "redis-compare: no echo-kv leader within 60 s" >&2; exit 1; }

redis_port=$(free_port)
mkdir -p "$work/redis"
redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$work/redis" --appendonly yes --appendfsync always \
  --save '' --daemonize no > "$work/redis.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do redis-cli -p "$redis_port" PING >/dev/null 2>&1 && break; sleep 0.1; done

# One line per (server, test, c): requests/s and p50 in ms, from redis-benchmark's CSV output.
bench() { # server port c
  redis-benchmark -p "$2" -t set,get -d 100 -r 100000 -n "$requests" -c "$3" -P "$pipeline" --csv 2>/dev/null \
    | awk -F',' -v server="$1" -v c="$3" 'NR>1 { for (i = 1; i <= NF; i++) gsub(/"/, "", $i);
        printf "%-30s %-4s c=%-4s rps=%-10s p50_ms=%-7s p99_ms=%s\n", server, $1, c, $2, $5, $7 }'
}
# Warm-up, time-bound: half the time SET, half GET, at c=64 with the measured pipeline depth, on both servers.
warm() { # port
  for test in set get; do
    timeout "$((warmup / 2 + 1))" redis-benchmark -p "$1" -t "$test" -d 100 -r 100000 -n 100000000 -c 64 \
      -P "$pipeline" -q >/dev/null 2>&1 || true
  done
}
if [ "$warmup" -gt 0 ]; then
  warm "$leader_port"
  warm "$redis_port"
fi
echo "# redis-benchmark -t set,get -d 100 -r 100000 -n $requests -P $pipeline; ${warmup} s warm-up; $(nproc) cores; same run"
for c in ${clients//,/ }; do
  bench "echo-kv (3 members, fsync)" "$leader_port" "$c"
  bench "redis (1 node, fsync always)" "$redis_port" "$c"
done
