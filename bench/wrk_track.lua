-- bench/wrk_track.lua: page views on /t.gif, each from a new visitor on
-- a different page, with UTM tags naming one of 20 campaigns, as t.js
-- sends them; the Referer is the tracked site (WRK_TRACK_SITE, default
-- https://shop.example.vn), which the server must list in
-- tracking_origins. WRK_TRACK_PATH (default /t.gif) may be /t/collect
-- with WRK_TRACK_METHOD=POST (what sendBeacon does).
local site = os.getenv("WRK_TRACK_SITE") or "https://shop.example.vn"
local path = os.getenv("WRK_TRACK_PATH") or "/t.gif"
local method = os.getenv("WRK_TRACK_METHOD") or "GET"
local n, tag = 0, 0
local headers = {}

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
end

function request()
    n = n + 1
    local page = site .. "/san-pham/" .. (n % 5000) .. "?utm_source=facebook"
    local q = "vid=" .. string.format("b%09d%012d", tag, n)
        .. "&url=" .. enc(page)
        .. "&ref=" .. enc("https://www.facebook.com/")
        .. "&utm_source=facebook&utm_medium=social"
        .. "&utm_campaign=" .. enc("khuyen-mai-" .. (n % 20))
    return wrk.format(method, path .. "?" .. q, headers)
end
