-- bench/wrk_patch.lua: wrk script changing a field of a random contact
-- that is neither searched nor part of the stage history (PATCH
-- /api/v1/contacts/{id} {"title": …}): the plain CRUD update of issue 3.
-- N comes from WRK_IDS_N (default 1000000); the Authorization header
-- from wrk's -H option.
local n = 1000000
local titles = {"Giám đốc", "Trưởng phòng", "Kế toán", "Nhân viên",
                "Sales Manager", "CEO"}

function init(args)
    n = tonumber(args[1] or os.getenv("WRK_IDS_N")) or n
    math.randomseed(os.time())
    wrk.headers["Content-Type"] = "application/json"
end

function request()
    local body = '{"title":"' .. titles[math.random(1, #titles)] .. ' ' ..
                 math.random(1, 1000) .. '"}'
    return wrk.format("PATCH", "/api/v1/contacts/" .. math.random(1, n),
                      nil, body)
end
