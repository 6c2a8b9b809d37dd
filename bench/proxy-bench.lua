-- wrk script of bench/proxy-bench.sh: every request is the same POST,
-- described by the environment, and the end of a run prints one line
-- that the harness reads.
--
--   BENCH_BODY_FILE     the request body (required)
--   BENCH_CONTENT_TYPE  its Content-Type (required)
--   BENCH_SOAPACTION    a SOAPAction header value, sent as given (optional)
--
-- The closing line, all times in microseconds:
--   BENCH-RESULT requests=N duration_us=N rps=X p50_us=N p90_us=N
--     p99_us=N max_us=N connect=N read=N write=N status=N timeout=N
-- (one line; status counts answers that were not 2xx or 3xx).

local function read_file(path)
   local f = assert(io.open(path, "rb"), "cannot open " .. tostring(path))
   local data = f:read("*a")
   f:close()
   return data
end

local body_file = os.getenv("BENCH_BODY_FILE")
local content_type = os.getenv("BENCH_CONTENT_TYPE")
assert(body_file and body_file ~= "", "BENCH_BODY_FILE is not set")
assert(content_type and content_type ~= "", "BENCH_CONTENT_TYPE is not set")

wrk.method = "POST"
wrk.body = read_file(body_file)
wrk.headers["Content-Type"] = content_type
local soapaction = os.getenv("BENCH_SOAPACTION")
if soapaction and soapaction ~= "" then
   wrk.headers["SOAPAction"] = soapaction
end

function done(summary, latency, requests)
   local seconds = summary.duration / 1e6
   local e = summary.errors
   io.write(string.format(
      "BENCH-RESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p90_us=%d"
         .. " p99_us=%d max_us=%d connect=%d read=%d write=%d status=%d"
         .. " timeout=%d\n",
      summary.requests, summary.duration,
      seconds > 0 and summary.requests / seconds or 0,
      latency:percentile(50), latency:percentile(90),
      latency:percentile(99), latency.max,
      e.connect, e.read, e.write, e.status, e.timeout))
end
