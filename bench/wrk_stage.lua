-- bench/wrk_stage.lua: wrk script moving a random contact to a random
-- lifecycle stage (PATCH /api/v1/contacts/{id} {"lifecycle_stage": …}),
-- forward or backward, each a stage_changes row and the contact's first
-- entries kept (issue 5: one move < 2 ms p99). N comes from WRK_IDS_N
-- (default 1000000); the Authorization header from wrk's -H option.
local n = 1000000
local stages = {"subscriber", "lead", "marketing_qualified_lead",
                "sales_qualified_lead", "opportunity", "customer",
                "evangelist"}

function init(args)
    n = tonumber(args[1] or os.getenv("WRK_IDS_N")) or n
    math.randomseed(os.time())
    -- wrk.format replaces wrk.headers (-H) when given a table: add to it
    wrk.headers["Content-Type"] = "application/json"
end

function request()
    local body = '{"lifecycle_stage":"' .. stages[math.random(1, 7)] .. '"}'
    return wrk.format("PATCH", "/api/v1/contacts/" .. math.random(1, n),
                      nil, body)
end
