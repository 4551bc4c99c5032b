-- bench/wrk_track.lua: page views on /t.gif, each from a new visitor on
-- a different page, with UTM tags naming one of 20 campaigns, as t.js
-- sends them; the Referer is the tracked site (WRK_TRACK_SITE, default
-- https://shop.example.vn), which the server must list in
-- tracking_origins. WRK_TRACK_PATH (default /t.gif) may be /t/collect
-- with WRK_TRACK_METHOD=POST (what sendBeacon does).
-- bench_tracking.sh sends the same stream to the bare baseline, so the
-- ratio compares servers on identical requests; the percent-encoded
-- pieces are built once in init() so that wrk, which shares the two
-- cores with the server, spends little per request.
local site = os.getenv("WRK_TRACK_SITE") or "https://shop.example.vn"
local path = os.getenv("WRK_TRACK_PATH") or "/t.gif"
local method = os.getenv("WRK_TRACK_METHOD") or "GET"
local n, tag = 0, 0
local headers = {}
local pages, camps = {}, {}
local head, ref

local function enc(s)
    return (s:gsub("[^%w%-_%.~]", function(c)
        return string.format("%%%02X", string.byte(c))
    end))
end

function init(args)
    math.randomseed(os.time() + os.clock() * 1e6)
    tag = math.random(1, 1e9)
    headers["Referer"] = site .. "/"
    headers["Origin"] = method == "POST" and site or nil
    for i = 0, 4999 do
        pages[i] = "&url=" .. enc(site .. "/san-pham/" .. i .. "?utm_source=facebook")
    end
    for i = 0, 19 do
        camps[i] = "&utm_campaign=" .. enc("khuyen-mai-" .. i)
    end
    head = path .. "?vid=" .. string.format("b%09d", tag)
    ref = "&ref=" .. enc("https://www.facebook.com/")
        .. "&utm_source=facebook&utm_medium=social"
end

function request()
    n = n + 1
    return wrk.format(method, head .. string.format("%012d", n)
        .. pages[n % 5000] .. ref .. camps[n % 20], headers)
end
