-- wrk script for bench_server.py: the connections post distinct, pre-encoded ballots (one
-- request body per line of the file named by BALLOTS), each thread its own share of them,
-- and a thread stops when its share is sent (bench_server.py interrupts wrk once the board
-- holds them all). Prints the figures as one JSON line at the end; the responses still in
-- flight when a thread stops are not in them.
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  local nthreads = tonumber(os.getenv("THREADS"))
  bodies, created, other, sent = {}, 0, 0, 0
  local n = 0
  for line in io.lines(os.getenv("BALLOTS")) do
    if n % nthreads == id then table.insert(bodies, line) end
    n = n + 1
  end
  path = os.getenv("TARGET_PATH")
end

function request()
  sent = sent + 1
  if sent > #bodies then
    wrk.thread:stop()
    return wrk.format("GET", "/api/v1/health")
  end
  return wrk.format("POST", path, {["Content-Type"] = "application/json"}, bodies[sent])
end

function response(status, headers, body)
  if status == 201 then created = created + 1 elseif status ~= 200 then other = other + 1 end
end

function done(summary, latency, requests)
  local c, o = 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("created")
    o = o + t:get("other")
  end
  io.write(string.format(
    '{"created": %d, "refused": %d, "requests": %d, "duration_s": %.3f, "p50_ms": %.1f, "p95_ms": %.1f, "p99_ms": %.1f, "max_ms": %.1f}\n',
    c, o, summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
