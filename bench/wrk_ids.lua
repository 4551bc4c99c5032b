-- bench/wrk_ids.lua: wrk script requesting PREFIX/{id} with a random id
-- in [1, N]: wrk ... -s bench/wrk_ids.lua URL -- N [PREFIX]
-- (default prefix /api/v1/contacts/). The Authorization header comes from
-- wrk's -H option, which wrk.format adds to every request.
local n, prefix = 1000000, "/api/v1/contacts/"

function init(args)
    n = tonumber(args[1]) or n
    prefix = args[2] or prefix
    math.randomseed(os.time())
end

function request()
    return wrk.format("GET", prefix .. math.random(1, n))
end
