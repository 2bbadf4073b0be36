-- wrk script for benchmarks/pids.sh and benchmarks/search.sh: GETs paths picked at random from a targets file and
-- checks every answer: by default a 302 whose Location is exactly the one expected (wrk follows no redirect); with
-- `total`, a 200 whose JSON body has `"total":N`, the N expected.
--
--   wrk -t 8 -c 8 -d 10s -s benchmarks/resolve.lua http://127.0.0.1:PORT -- TARGETS.tsv [total]
--
-- TARGETS.tsv: one `path<TAB>expected` line per target (benchmarks/pid_targets.py and search_bench.py write them). Run
-- with as many threads as connections (-t = -c): a thread then has one connection, whose requests and answers
-- alternate, so the answer wrk hands to response() is the one to the request last made by request() in that thread.
-- done() prints `name: value` lines (rate, latencies, answers that were not the expected ones, socket errors).

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end

function init(args)
  totals = args[2] == "total"
  targets = {}
  for line in io.lines(args[1]) do
    local path, location = line:match("^([^\t]+)\t([^\t]+)$")
    if path then targets[#targets + 1] = { path, location } end
  end
  if #targets == 0 then error("no targets in " .. tostring(args[1])) end
  math.randomseed(os.time() * 1000 + thread_number)
  expected = nil
  checked = 0
  mismatches = 0
  first_mismatch = ""
end

function request()
  local target = targets[math.random(#targets)]
  expected = target[2]
  return wrk.format("GET", target[1])
end

function response(status, headers, body)
  checked = checked + 1
  if totals then
    if status ~= 200 or not body:find('"total":' .. expected .. '[,}]') then
      mismatches = mismatches + 1
      if first_mismatch == "" then first_mismatch = string.format("%d (expected total %s) %s", status, expected, body:sub(1, 200)) end
    end
    return
  end
  local location
  for name, value in pairs(headers) do
    if name:lower() == "location" then location = value end
  end
  if status ~= 302 or location ~= expected then
    mismatches = mismatches + 1
    if first_mismatch == "" then
      first_mismatch = string.format("%d %s (expected 302 %s)", status, tostring(location), tostring(expected))
    end
  end
end

function done(summary, latency, requests)
  local checked_all, mismatches_all, first = 0, 0, ""
  for _, thread in ipairs(threads) do
    checked_all = checked_all + thread:get("checked")
    mismatches_all = mismatches_all + thread:get("mismatches")
    if first == "" then first = thread:get("first_mismatch") end
  end
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format("requests: %d\n", summary.requests))
  io.write(string.format("seconds: %.3f\n", seconds))
  io.write(string.format("rps: %.1f\n", summary.requests / seconds))
  for _, p in ipairs({ 50, 90, 99 }) do
    io.write(string.format("p%d_ms: %.3f\n", p, latency:percentile(p) / 1000))
  end
  io.write(string.format("max_ms: %.3f\n", latency.max / 1000))
  io.write(string.format("checked: %d\n", checked_all))
  io.write(string.format("mismatches: %d\n", mismatches_all))
  io.write(string.format("socket_errors: %d\n", e.connect + e.read + e.write + e.timeout))
  io.write(string.format("socket_errors_detail: connect %d read %d write %d timeout %d\n",
    e.connect, e.read, e.write, e.timeout))
  if first ~= "" then io.write("first_mismatch: " .. first .. "\n") end
end
