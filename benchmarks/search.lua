-- wrk script for benchmarks/search.sh: GETs search paths picked at random from a targets file and checks every
-- answer is a 200 whose body holds the total expected (`"total":N`, read once before the run).
--
--   wrk -t 8 -c 8 -d 10s -s benchmarks/search.lua http://127.0.0.1:PORT -- TARGETS.tsv
--
-- TARGETS.tsv: `path<TAB>total` lines. One connection per thread (-t = -c), so the answer response() sees is the one
-- to the request request() last made in that thread. done() prints `name: value` lines.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end

function init(args)
  targets = {}
  for line in io.lines(args[1]) do
    local path, total = line:match("^([^\t]+)\t([0-9]+)$")
    if path then targets[#targets + 1] = { path, '"total":' .. total .. '[,}]' } end
  end
  if #targets == 0 then error("no targets in " .. tostring(args[1])) end
  math.randomseed(os.time() * 1000 + thread_number)
  checked, mismatches, first_mismatch = 0, 0, ""
end

function request()
  local target = targets[math.random(#targets)]
  expected = target[2]
  return wrk.format("GET", target[1])
end

function response(status, headers, body)
  checked = checked + 1
  if status ~= 200 or not body:find(expected) then
    mismatches = mismatches + 1
    if first_mismatch == "" then first_mismatch = string.format("%d (expected %s) %s", status, expected, body:sub(1, 200)) end
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
  io.write(string.format("requests: %d\nseconds: %.3f\nrps: %.1f\n", summary.requests, seconds, summary.requests / seconds))
  for _, p in ipairs({ 50, 99 }) do io.write(string.format("p%d_ms: %.3f\n", p, latency:percentile(p) / 1000)) end
  io.write(string.format("checked: %d\nmismatches: %d\nsocket_errors: %d\n", checked_all, mismatches_all,
    e.connect + e.read + e.write + e.timeout))
  if first ~= "" then io.write("first_mismatch: " .. first .. "\n") end
end
