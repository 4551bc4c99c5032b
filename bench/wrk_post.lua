-- bench/wrk_post.lua: wrk script creating contacts (POST
-- /api/v1/contacts) with a name, a company-less unique email and a
-- stage: the row, its stage history, its search rows and its audit row.
-- Emails are unique per run (a random prefix and a counter) so no answer
-- is a 409. The Authorization header comes from wrk's -H option.
local prefix, count = "", 0
local first = {"An", "Bình", "Chi", "Dũng", "Hà", "Lan", "Minh", "Thảo"}
local last = {"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ"}

function init(args)
    math.randomseed(os.time() + math.floor(os.clock() * 1e6))
    prefix = string.format("b%d%06d", os.time(), math.random(0, 999999))
    wrk.headers["Content-Type"] = "application/json"
end

function request()
    count = count + 1
    local body = string.format('{"first_name":"%s","last_name":"%s",' ..
        '"email":"%s.%d@bench.example","lifecycle_stage":"lead"}',
        first[math.random(1, #first)], last[math.random(1, #last)],
        prefix, count)
    return wrk.format("POST", "/api/v1/contacts", nil, body)
end
