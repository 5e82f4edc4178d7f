-- wrk script for DPoP-bound callers of `stella serve` (benches/load/run.py): every request
-- carries a proof of its own, read from a file that holds the access token on its first line
-- and one proof per line after it (minted by the load_credentials example). wrk's threads
-- split the proofs by line number, so no proof is sent twice by one wrk process; two wrk
-- processes given the same file against two instances send each proof to both (a replay).
--
-- wrk -s dpop.lua URL -- PROOFS BODY THREADS
-- At the end it prints one JSON line: requests, non-2xx answers, socket errors and latency
-- percentiles in microseconds.

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  local proofs_path, body_path, nthreads = args[1], args[2], tonumber(args[3])
  local f = assert(io.open(proofs_path, "r"))
  token = f:read("*l")
  proofs = {}
  local i = 0
  for line in f:lines() do
    if i % nthreads == id then
      proofs[#proofs + 1] = line
    end
    i = i + 1
  end
  f:close()
  local b = assert(io.open(body_path, "r"))
  body = b:read("*a")
  b:close()
  used = 0
end

function request()
  used = used + 1
  -- Past the end the last proof repeats: the server refuses it (dpop.replay) and the count of
  -- non-2xx answers shows the file was too short.
  local proof = proofs[math.min(used, #proofs)]
  return wrk.format("POST", nil, {
    ["Authorization"] = "DPoP " .. token,
    ["DPoP"] = proof,
    ["X-StellaOps-Tenant"] = "acme",
    ["Content-Type"] = "application/json",
  }, body)
end

function done(summary, latency, requests)
  -- How many proofs each thread took, in thread order (the replay check needs them).
  local used_by = {}
  for i, t in ipairs(threads) do
    used_by[i] = tostring(t:get("used"))
  end
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "non2xx": %d, "socket_errors": %d, ' ..
    '"p50_us": %d, "p99_us": %d, "mean_us": %.1f, "used": [%s]}\n',
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99), latency.mean, table.concat(used_by, ", ")))
end
