-- Shared by every route's script: the API key, and one latency line per
-- run that tests/bench/run reads (p50 and p99 in microseconds).
api_key = os.getenv("LB_BENCH_KEY")
wrk.headers["X-API-Key"] = api_key

function done(summary, latency, requests)
   local f = io.open(os.getenv("LB_BENCH_OUT"), "w")
   local codes = 0
   f:write(string.format("requests=%d\nduration_us=%d\np50_us=%d\np99_us=%d\n" ..
      "errors_status=%d\nerrors_connect=%d\nerrors_read=%d\nerrors_timeout=%d\n",
      summary.requests, summary.duration, latency:percentile(50),
      latency:percentile(99), summary.errors.status, summary.errors.connect,
      summary.errors.read, summary.errors.timeout))
   f:close()
end
