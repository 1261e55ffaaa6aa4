# tests/bench/profile.sh -- sourced by tests/bench/run for --profile: where
# each request's CPU time goes, lockbox's turn against pgbench's.
#
# perf samples every CPU (perf record -a) while a turn runs; each process
# name's samples, over the sampling rate and the requests the turn served,
# are its CPU time per request, kernel time included. A turn whose CPUs
# are never idle is bound by that sum; one with idle time waits on
# something else (the disk's flushes, a lock, a round trip).

PERF_HZ=499
PERF_PID=

# profile_start ROUTE SIDE -- sample every CPU until profile_stop.
profile_start() {
    perf record -a -q -F "$PERF_HZ" -o "$LB_TMP/perf-$1-$2.data" \
        >"$LB_TMP/perf-$1-$2.log" 2>&1 &
    PERF_PID=$!
    sleep 0.3
}

# profile_stop ROUTE SIDE REQUESTS -- one line of profile.csv: route, side,
# then microseconds per request for the worker, PostgreSQL, nginx, the
# client (wrk or pgbench), everything else, and the idle share of the
# CPUs.
profile_stop() {
    local route=$1 side=$2 reqs=$3 data=$LB_TMP/perf-$1-$2.data
    kill -INT "$PERF_PID" 2>/dev/null
    wait "$PERF_PID" 2>/dev/null
    perf report -i "$data" --sort comm --stdio -n 2>/dev/null |
        awk -v route="$route" -v side="$side" -v reqs="$reqs" -v hz="$PERF_HZ" '
            /^#/ || NF < 3 { next }
            { n = $2; comm = $3
              if (comm == "lockbox-fcgi") c = "worker"
              else if (comm == "postgres") c = "postgres"
              else if (comm == "nginx") c = "nginx"
              else if (comm == "wrk" || comm == "pgbench") c = "client"
              else if (comm == "swapper") c = "idle"
              else c = "other"
              s[c] += n; all += n }
            END { us = reqs > 0 ? 1e6 / hz / reqs : 0
                  printf "%s,%s,%.0f,%.0f,%.0f,%.0f,%.0f,%.2f\n", route, side,
                      s["worker"] * us, s["postgres"] * us, s["nginx"] * us,
                      s["client"] * us, s["other"] * us,
                      (all > 0 ? s["idle"] / all : 0) }' >>"$OUT/profile.csv"
    rm -f "$data"
}

# profile_md -- profile.csv as a table, each route's two sides together,
# with the CPU time per request of each side.
profile_md() {
    {
        echo "| route | side | worker | PostgreSQL | nginx | client | other | all, µs | idle |"
        echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
        awk -F, 'NR > 1 { printf "| %s | %s | %s | %s | %s | %s | %s | %d | %.0f %% |\n",
            $1, $2, $3, $4, $5, $6, $7, $3 + $4 + $5 + $6 + $7, $8 * 100 }' "$OUT/profile.csv"
    } >"$OUT/profile.md"
}
