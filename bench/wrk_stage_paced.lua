-- bench/wrk_stage_paced.lua: the stage moves of bench/wrk_stage.lua at a
-- steady pace instead of wrk's saturation: each connection waits
-- WRK_STAGE_DELAY_MS (default 5) after an answer before its next move,
-- so -c1 sends a little under 1000 / delay moves a second, as a
-- business's steady load does (bench_funnel.sh). wrk times each request
-- from its send to its answer, in C: no client interpreter in the figure.
dofile("bench/wrk_stage.lua")
local wait = tonumber(os.getenv("WRK_STAGE_DELAY_MS")) or 5

function delay()
    return wait
end
