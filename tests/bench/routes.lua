-- One script for every route; LB_BENCH_ROUTE picks the request.
--   get            GET one secret by a random id among the seeded rows
--   list_first     the first page of 20
--   list_deep      a page of 20 from a cursor near the end of the table
--   list_provider  a page of 20 filtered by a provider
--   lookup         GET one secret by name (a random seeded one under aws)
--   values         the first page of 100 with their values (include=value)
--   versions       the page of versions of a random secret that has 10
--   create         POST with a unique name
--   create_idem    the same with an Idempotency-Key, a fresh one each time
--   replay         POST the same create with the same Idempotency-Key again
--                  (each connection its own key: the first creates, every
--                  other is the stored answer replayed)
--   patch          PATCH a random secret's value (sealed afresh)
--   version_get    GET version 1 of a random secret below those with 10
--                  versions (their version 1 goes with their next one)
--   version_restore  POST .../versions/1/restore of such a secret
--   deleted_list   the first page of 20 deleted secrets
--   deleted_restore  POST /v1/admin/deleted-secrets/ID/restore, each id of
--                  the deleted pool once, from its bottom up
--   deleted_destroy  DELETE /v1/admin/deleted-secrets/ID, the same ids
--   audit_list     the first page of 20 audit events
--   delete         DELETE each seeded id once (threads take turns)
--   health, static GET /v1/health, or / (for the ceilings)
dofile(os.getenv("LB_BENCH_DIR") .. "/common.lua")

local route = os.getenv("LB_BENCH_ROUTE")
local rows = tonumber(os.getenv("LB_BENCH_ROWS") or "100000")
local cursor = os.getenv("LB_BENCH_CURSOR") or ""
local provider = os.getenv("LB_BENCH_PROVIDER") or "aws"
local run = os.getenv("LB_BENCH_RUN") or "0"
local hist_first = tonumber(os.getenv("LB_BENCH_HIST_FIRST") or "1")
local hist_rows = tonumber(os.getenv("LB_BENCH_HIST_ROWS") or "1")
local pool_lo = tonumber(os.getenv("LB_BENCH_POOL_LO") or "1")
local threads = {}
local counter = 0
tid = 0            -- set per thread by setup()
nthreads = 1

function setup(thread)
   thread:set("tid", #threads)
   table.insert(threads, thread)
end

function init(args)
   nthreads = tonumber(os.getenv("LB_BENCH_THREADS") or "2")
   math.randomseed(os.time() + tid * 7919)
end

-- wrk.format with a header table sends only those headers.
local json = { ["Content-Type"] = "application/json", ["X-API-Key"] = api_key }

request = function()
   counter = counter + 1
   if route == "get" then
      return wrk.format("GET", "/v1/admin/secrets/" .. math.random(1, rows))
   elseif route == "list_first" then
      return wrk.format("GET", "/v1/admin/secrets?limit=20")
   elseif route == "list_deep" then
      return wrk.format("GET", "/v1/admin/secrets?limit=20&cursor=" .. cursor)
   elseif route == "list_provider" then
      return wrk.format("GET", "/v1/admin/secrets?limit=20&provider_slug=" .. provider)
   elseif route == "lookup" then
      -- seed.c names secret ID "seed-ID"; every fifth is under aws.
      return wrk.format("GET", "/v1/admin/secrets/lookup?name=seed-" ..
         5 * math.random(1, math.floor(rows / 5)) .. "&provider_slug=aws")
   elseif route == "values" then
      return wrk.format("GET", "/v1/admin/secrets?include=value&limit=100")
   elseif route == "versions" then
      return wrk.format("GET", "/v1/admin/secrets/" ..
         (hist_first + math.random(0, hist_rows - 1)) .. "/versions")
   elseif route == "create" then
      local name = string.format("bench-%s-%d-%d", run, tid, counter)
      return wrk.format("POST", "/v1/admin/secrets", json,
         '{"name":"' .. name .. '","value":"bench-value-0123456789abcdef0123456789abcdef","metadata":{"team":"bench"}}')
   elseif route == "create_idem" or route == "replay" then
      local name
      if route == "replay" then
         name = string.format("replay-%s-%d", run, tid)
      else
         name = string.format("idem-%s-%d-%d", run, tid, counter)
      end
      local h = { ["Content-Type"] = "application/json", ["X-API-Key"] = api_key,
                  ["Idempotency-Key"] = name }
      return wrk.format("POST", "/v1/admin/secrets", h,
         '{"name":"' .. name .. '","value":"bench-value-0123456789abcdef0123456789abcdef","metadata":{"team":"bench"}}')
   elseif route == "patch" then
      return wrk.format("PATCH", "/v1/admin/secrets/" .. math.random(1, rows), json,
         '{"value":"patched-0123456789abcdef0123456789abcdef","metadata":{"n":"' .. counter .. '"}}')
   elseif route == "version_get" then
      return wrk.format("GET", "/v1/admin/secrets/" .. math.random(1, hist_first - 1) .. "/versions/1")
   elseif route == "version_restore" then
      return wrk.format("POST", "/v1/admin/secrets/" .. math.random(1, hist_first - 1) ..
         "/versions/1/restore", { ["X-API-Key"] = api_key }, "")
   elseif route == "deleted_list" then
      return wrk.format("GET", "/v1/admin/deleted-secrets?limit=20")
   elseif route == "deleted_restore" or route == "deleted_destroy" then
      local id = pool_lo + (counter - 1) * nthreads + tid
      if route == "deleted_restore" then
         return wrk.format("POST", "/v1/admin/deleted-secrets/" .. id .. "/restore",
            { ["X-API-Key"] = api_key }, "")
      end
      return wrk.format("DELETE", "/v1/admin/deleted-secrets/" .. id)
   elseif route == "audit_list" then
      return wrk.format("GET", "/v1/admin/audit?limit=20")
   elseif route == "delete" then
      -- Thread t deletes t+1, t+1+T, t+1+2T... from the top of the table down.
      local id = rows - (counter - 1) * nthreads - tid
      return wrk.format("DELETE", "/v1/admin/secrets/" .. id)
   elseif route == "health" then
      return wrk.format("GET", "/v1/health?bytes=" .. (os.getenv("LB_BENCH_BYTES") or "15"))
   else
      return wrk.format("GET", "/")
   end
end
