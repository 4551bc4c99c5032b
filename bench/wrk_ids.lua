-- bench/wrk_ids.lua: wrk script requesting PREFIX/{id} with a random id
-- in [1, N]: N and PREFIX come from the environment (WRK_IDS_N, default
-- 1000000; WRK_IDS_PREFIX, default /api/v1/contacts/) or from the script
-- arguments (wrk ... URL -- N PREFIX). The Authorization header comes from
-- wrk's -H option, which wrk.format adds to every request.
local n, prefix = 1000000, "/api/v1/contacts/"

function init(args)
    n = tonumber(args[1] or os.getenv("WRK_IDS_N")) or n
    prefix = args[2] or os.getenv("WRK_IDS_PREFIX") or prefix
    math.randomseed(os.time())
end

function request()
    return wrk.format("GET", prefix .. math.random(1, n))
end
