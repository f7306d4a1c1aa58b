-- wrk script: GET /api/search with a different query on each request.
-- The queries come from a file of URL-encoded lines (bench/wrk.py writes it from the
-- corpus titles); each wrk thread starts at its own place in the list.
--   wrk -t2 -c8 -d30s --latency -s bench/wrk_queries.lua http://127.0.0.1:8000 -- queries.txt

local queries = {}
local next_query = 1

function init(args)
  local path = args[1] or "queries.txt"
  for line in io.lines(path) do
    if #line > 0 then queries[#queries + 1] = line end
  end
  if #queries == 0 then error("no queries in " .. path) end
  -- Threads are set up one after another: spread their starting points.
  next_query = (math.floor(os.clock() * 1000003) % #queries) + 1
end

function request()
  local q = queries[next_query]
  next_query = next_query % #queries + 1
  return wrk.format("GET", "/api/search?q=" .. q)
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "JSON {\"requests\": %d, \"seconds\": %.3f, \"p50_ms\": %.2f, \"p90_ms\": %.2f, " ..
    "\"p99_ms\": %.2f, \"connect\": %d, \"read\": %d, \"write\": %d, \"status\": %d, \"timeout\": %d}\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3,
    latency:percentile(90) / 1e3, latency:percentile(99) / 1e3,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout))
end
