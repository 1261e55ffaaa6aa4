# tests/bench/report.sh -- sourced by tests/bench/run: bench.csv, bench.md,
# bench.png, and this run against the figures the README holds.

ceiling() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%.0f", 1 / (1 / a + 1 / b); else print 0 }'
}
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'
}
# This run against the README's figures (the block under the header line
# "    route  req/s  ratio  RSS KiB", one route a line, as bench.csv names
# them), route by route: what moved. A ratio more than 0.10 below the
# README's is called out: a run moves by about that much on this kind of
# machine, not by more. Reads the README, bench.csv and, on stdin,
# "route rss" lines.
history_md() {
    echo "| route | README req/s | this run | this / README | README ratio | this run | change | README RSS KiB | this run |"
    echo "|---|---:|---:|---:|---:|---:|---|---:|---:|"
    awk -F, '
        FILENAME == "-" { split($0, f, " "); rss[f[1]] = f[2]; next }
        FILENAME ~ /README$/ {
            if ($0 ~ /^    route +req\/s +ratio +RSS KiB/) { on = 1; next }
            if (on && $0 ~ /^ *$/) on = 0
            if (on) { split($0, f, " "); rps[f[1]] = f[2]; ra[f[1]] = f[3]; rs[f[1]] = f[4] }
            next }
        FNR > 1 {
            r = $1; a = $2; q = $9; m = (r in rss) ? rss[r] : "-"
            if (!(r in rps)) { printf "| %s | - | %s | - | - | %s | new | - | %s |\n", r, a, q, m; next }
            ch = (q - ra[r] < -0.10) ? "**lower**" : ((q - ra[r] > 0.10) ? "higher" : "same")
            printf "| %s | %s | %s | %.2f | %s | %s | %s | %s | %s |\n",
                r, rps[r], a, (rps[r] > 0 ? a / rps[r] : 0), ra[r], q, ch, rs[r], m }
    ' - "$top/README" "$OUT/bench.csv"
}

# "route rss" for each route whose RSS was measured alone.
route_rss() {
    local route
    for route in $ROUTES; do
        [ -n "${RSS_R[$route]:-}" ] && echo "$route ${RSS_R[$route]// /}"
    done
    return 0
}

# LABEL OF BASE: the line of each route's figure in array OF and its share
# of the same route's in array BASE.
shares() {
    local line=$1 route
    local -n of=$2 base=$3
    for route in $ROUTES; do
        [ -n "${of[$route]:-}" ] &&
            line="$line $route ${of[$route]%.*} ($(ratio "${of[$route]}" "${base[$route]}"))"
    done
    echo "$line"
}

report() {
    {
        echo "route,req_s,p50_ms,p99_ms,errors,null_fcgi_req_s,pgbench_tps,ceiling_req_s,ratio,round_ratios,p99_over_p50,pgbench_p50_ms,pgbench_p99_ms,pgbench_p99_over_p50"
        for route in $ROUTES; do
            c=$(ceiling "${NULLR[$route]}" "${PGB[$route]}")
            echo "$route,${RPS[$route]},${P50[$route]},${P99[$route]},${ERR[$route]},${NULLR[$route]},${PGB[$route]},$c,$(ratio "${RPS[$route]}" "$c"),${SPREAD[$route]},$(ratio "${P99[$route]}" "${P50[$route]}"),${PG50[$route]},${PG99[$route]},$(ratio "${PG99[$route]}" "${PG50[$route]}")"
        done
    } >"$OUT/bench.csv"

    {
        echo "# lockbox benchmark"
        echo
        echo "$(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $ROWS rows," \
            "wrk -t$THREADS -c$CONNS -d${DUR}s, $WORKERS workers, unix socket;" \
            "pgbench -c$PGB_CLIENTS, events as audit = $AUDIT; medians of $ROUNDS rounds"
        echo
        echo "| route | req/s | p50 ms | p99 ms | p99/p50 (pgbench's) | errors | ceiling req/s (null FastCGI, pgbench) | ratio | single rounds |"
        echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
        tail -n +2 "$OUT/bench.csv" | while IFS=, read -r r rps p50 p99 err nul pg c ra sp tail _ _ pgtail; do
            echo "| $r | $rps | $p50 | $p99 | $tail ($pgtail) | $err | $c ($nul, $pg) | $ra | $sp |"
        done
        echo
        echo "- CPU time taken by the hypervisor (steal) during the rounds:" \
            "$(awk -v s="$STOLEN" -v t="$TICKS" 'BEGIN { printf "%.1f", (t > 0 ? 100 * s / t : 0) }') %"
        echo "- nginx static \`return 200\`: $STATIC req/s"
        echo "- nginx -> null FastCGI responder, unix socket: $NULL_UNIX req/s" \
            "(15-byte answers; each route's ceiling uses answers of that route's size:" \
            "$(for r in $ROUTES; do printf '%s %s, ' "$r" "${BYTES[$r]}"; done | sed 's/, $//') bytes)"
        if [ "$TCP" = 1 ]; then
            echo "- nginx -> null FastCGI responder, TCP: $NULL_TCP req/s" \
                "(TCP/unix $(ratio "$NULL_TCP" "$NULL_UNIX"))"
            echo "- lockbox GET over TCP FastCGI: $TCP_RPS req/s, p50 $TCP_P50 ms," \
                "p99 $TCP_P99 ms (TCP/unix $(ratio "$TCP_RPS" "${RPS[get]:-0}"))"
        fi
        if [ "$PGB" = 1 ]; then
            shares "- through pgbouncer (transaction pooling), share of the direct req/s:" BRPS RPS
            shares "- pgbench on the same SQL through pgbouncer, share of pgbench direct:" BPGB PGB
        fi
        if [ -n "${P50[list_deep]:-}" ] && [ -n "${P50[list_first]:-}" ]; then
            echo "- deep page (cursor at id $DEEP_ID of $ROWS) over first page, p50:" \
                "$(ratio "${P50[list_deep]}" "${P50[list_first]}")"
        fi
        echo "- largest worker RSS: ${RSS_WARM:-?} KiB after about $SERVED_WARM requests" \
            "(warm-up), ${RSS:-?} KiB after about $SERVED (about" \
            "$((SERVED / WORKERS)) per worker): growth $(( ${RSS:-0} - ${RSS_WARM:-0} )) KiB"
        if [ "$RSS_N" -gt 0 ]; then
            echo
            echo "## Worker RSS, route by route"
            echo
            echo "Each route alone on a fresh pool of $WORKERS workers: the largest" \
                "worker's RSS after a 1 s warm-up, and after at least $RSS_N requests."
            echo
            echo "| route | requests | RSS KiB, warm | after | growth KiB |"
            echo "|---|---:|---:|---:|---:|"
            for route in $ROUTES; do
                [ -n "${RSS_R[$route]:-}" ] || continue
                echo "| $route | ${RSS_SERVED[$route]} | ${RSS_W[$route]} | ${RSS_R[$route]} |" \
                    "$(( ${RSS_R[$route]} - ${RSS_W[$route]} )) |"
            done
        fi
        if [ -f "$OUT/profile.md" ] && [ "$PROFILE" = 1 ]; then
            echo
            echo "## CPU time per request (--profile)"
            echo
            echo "One more turn of each route and of its pgbench, every CPU sampled" \
                "by perf: microseconds of CPU per request, kernel time included."
            echo
            cat "$OUT/profile.md"
        fi
        echo
        echo "## This run against the README's figures"
        echo
        route_rss | history_md
    } >"$OUT/bench.md"
    # Every run, one line per route, kept in the output directory: the
    # routes over time on this machine.
    [ -f "$OUT/history.csv" ] || echo "at,commit,route,req_s,ratio,rss_kib" >"$OUT/history.csv"
    route_rss | awk -F, -v at="$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
        -v commit="$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo -)" '
        FILENAME == "-" { split($0, f, " "); rss[f[1]] = f[2]; next }
        FNR > 1 { print at "," commit "," $1 "," $2 "," $9 "," rss[$1] }
    ' - "$OUT/bench.csv" >>"$OUT/history.csv"

    gnuplot 2>/dev/null <<GNUPLOT
set terminal png size 900,480
set output "$OUT/bench.png"
set datafile separator ","
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set ylabel "requests per second"
set title "lockbox and its ceiling per route ($ROWS rows, $CONNS connections)"
set key top right
set xtics rotate by -30
plot "$OUT/bench.csv" every ::1 using 2:xtic(1) title "lockbox", \
     "" every ::1 using 8 title "ceiling 1/(1/null + 1/pgbench)"
GNUPLOT

    cat "$OUT/bench.md"
    echo "(also $OUT/bench.csv, $OUT/bench.png and $OUT/history.csv)"
}
