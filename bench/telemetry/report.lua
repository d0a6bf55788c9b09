-- wrk script: after a run, one line the bench script reads:
-- RESULT <requests> <seconds> <non-2xx/3xx> <socket errors> <p50 ms> <p95 ms> <p99 ms>
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %.3f %d %d %.3f %.3f %.3f\n",
    summary.requests, summary.duration / 1e6, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
