dofile("scripts/bench/report.lua")
-- Cycles through PATHS (a file of request paths, one per line) with the
-- Authorization header from the TOKEN environment variable.
local paths = {}
for line in io.lines(os.getenv("PATHS")) do paths[#paths + 1] = line end
local i = 0
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
-- ACCEPT_ENCODING=gzip measures the compressed answers.
if os.getenv("ACCEPT_ENCODING") then wrk.headers["Accept-Encoding"] = os.getenv("ACCEPT_ENCODING") end
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
