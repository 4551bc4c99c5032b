-- bench/wrk_track_paced.lua: the page views of bench/wrk_track.lua at a
-- steady rate instead of wrk's saturation: each connection waits
-- WRK_TRACK_DELAY_MS (default 10) between its requests, so -c N sends
-- about N * 1000 / delay page views a second (bench_track_api.sh).
dofile("bench/wrk_track.lua")
local wait = tonumber(os.getenv("WRK_TRACK_DELAY_MS")) or 10

function delay()
    return wait
end
