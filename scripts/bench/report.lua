-- wrk reporter: one machine-readable line with rps, p50/p95/p99 (ms), errors
-- and the bytes read per request (headers included).
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write +
                 summary.errors.status + summary.errors.timeout
  io.write(string.format("RESULT rps=%.1f p50=%.2f p95=%.2f p99=%.2f errors=%d requests=%d bytes=%d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    errors, summary.requests, summary.requests > 0 and math.floor(summary.bytes / summary.requests) or 0))
end
