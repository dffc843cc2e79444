-- wrk script: GET /{code} with codes drawn from a Zipf distribution (or in sequence).
--
--   wrk -t2 -c50 -d20s -s zipf.lua http://127.0.0.1:18470 -- CODES_FILE [MODE] [S] [SEED] [count]
--
-- CODES_FILE  one short code per line; line 1 is rank 1 (the most popular link)
-- MODE        zipf (default): P(rank k) = k^-S / H(n, S)
--             seq: thread i of T requests codes START+i, START+i+T, ... (touches every code once
--             per cycle; T is given as S and START as SEED in this mode, so that consecutive wrk
--             runs carry on where the previous one stopped)
-- S           Zipf exponent, default 1.0
-- SEED        random seed, default 1 (each thread adds its own number)
-- count       count 302s and other statuses in response(). Off by default: with a response()
--             callback wrk parses every header into Lua and sends about half as many requests
--             (measured against nginx), so the 302s are then derived as requests minus wrk's
--             status errors (responses >= 400), and run.sh checks them against the app's own count.
--
-- Every wrk thread runs this file in its own Lua state, so the tables below are per thread: the
-- CDF and the request strings are built once in init() and only read afterwards.
-- done() prints one machine-readable line, "RESULT key=value ...", read by run.sh.

local threads = {}
local thread_count = 0

function setup(thread)
   thread_count = thread_count + 1
   thread:set("id", thread_count)
   table.insert(threads, thread)
end

local requests_by_rank = {}
local cdf = {}
local n = 0
local mode = "zipf"
local step = 1
local position = 0

-- counters read by done() through thread:get; globals so that thread:get can see them
responses_3xx = 0
responses_302 = 0
responses_other = 0
counted = 0

function init(args)
   local file = assert(args[1], "usage: -- CODES_FILE [MODE] [S] [SEED] [count]")
   mode = args[2] or "zipf"
   local s = tonumber(args[3] or "1.0")
   local seed = tonumber(args[4] or "1")
   for line in io.lines(file) do
      if #line > 0 then
         n = n + 1
         requests_by_rank[n] = wrk.format("GET", "/" .. line)
      end
   end
   assert(n > 0, "no codes in " .. file)
   if mode == "seq" then
      step = math.floor(s)
      position = (seed % n) + id - step
   else
      local total = 0
      for k = 1, n do
         total = total + k ^ -s
         cdf[k] = total
      end
      for k = 1, n do
         cdf[k] = cdf[k] / total
      end
      cdf[n] = 1.0
   end
   math.randomseed(seed * 7919 + id)
   if args[5] == "count" then
      counted = 1
   else
      -- wrk asks after init() whether there is a response() to call
      response = nil
   end
end

-- The smallest rank whose cumulative probability reaches u.
local function rank_of(u)
   local lo, hi = 1, n
   while lo < hi do
      local mid = math.floor((lo + hi) / 2)
      if cdf[mid] < u then
         lo = mid + 1
      else
         hi = mid
      end
   end
   return lo
end

function request()
   if mode == "seq" then
      position = position + step
      if position > n then
         position = position - n
      end
      return requests_by_rank[position]
   end
   return requests_by_rank[rank_of(math.random())]
end

function response(status, headers, body)
   if status == 302 then
      responses_302 = responses_302 + 1
   elseif status >= 300 and status < 400 then
      responses_3xx = responses_3xx + 1
   else
      responses_other = responses_other + 1
   end
end

function done(summary, latency, requests)
   local r302, r3xx, other, count = 0, 0, 0, 0
   for _, thread in ipairs(threads) do
      count = thread:get("counted")
      r302 = r302 + thread:get("responses_302")
      r3xx = r3xx + thread:get("responses_3xx")
      other = other + thread:get("responses_other")
   end
   local e = summary.errors
   io.write(string.format(
      "RESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d p999_us=%d max_us=%d "
         .. "mean_us=%.1f counted=%d r302=%d r3xx_other=%d non3xx=%d connect=%d read=%d write=%d timeout=%d status=%d\n",
      summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
      latency.max, latency.mean, count, r302, r3xx, other, e.connect, e.read, e.write, e.timeout, e.status))
end
