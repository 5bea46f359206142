-- Like ventas.lua, at a held rate: each connection waits a random think time
-- (0 to 2 × DELAY_MS) between its sales. bench-ventas.sh picks the number of
-- connections that gives half the saturated rate.
dofile("scripts/bench/ventas.lua")
local mean = tonumber(os.getenv("DELAY_MS") or "10")
delay = function() return math.random(0, 2 * mean) end
