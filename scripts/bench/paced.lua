-- Like paths.lua, at a held rate: each connection waits a random think time
-- (0 to 2 × DELAY_MS, so that connections do not fire in lockstep) between
-- its requests. bench.sh picks the number of connections that gives the rate.
dofile("scripts/bench/paths.lua")
local mean = tonumber(os.getenv("DELAY_MS") or "5")
math.randomseed(os.time())
delay = function() return math.random(0, 2 * mean) end
