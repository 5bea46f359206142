-- POST /ventas: a sale of 3 distinct random products (ids PROD_MIN..PROD_MAX,
-- stocked for the whole run) into one of the open cash sessions of SESSIONS,
-- a file of "<access token> <session id>" lines (one cashier each), picked at
-- random per request; 60% EFECTIVO (cash into the drawer), 30% QR, 10%
-- TRANSFERENCIA, as the demo seed.
local sessions = {}
for line in io.lines(os.getenv("SESSIONS")) do
  local tok, sid = line:match("^(%S+)%s+(%d+)")
  if tok then sessions[#sessions + 1] = {auth = "Bearer " .. tok, sid = sid} end
end
local pmin, pmax = tonumber(os.getenv("PROD_MIN")), tonumber(os.getenv("PROD_MAX"))

-- Each wrk thread has its own Lua state: give each its own random sequence.
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end
init = function(args)
  math.randomseed(os.time() * 1000 + (thread_id or 0))
end

local function pick(a, b)
  local p
  repeat p = math.random(pmin, pmax) until p ~= a and p ~= b
  return p
end

request = function()
  local s = sessions[math.random(#sessions)]
  local a = pick(-1, -1)
  local b = pick(a, -1)
  local c = pick(a, b)
  local r = math.random(10)
  local metodo = (r <= 6 and "EFECTIVO") or (r <= 9 and "QR") or "TRANSFERENCIA"
  local body = string.format('{"metodo_pago":"%s","id_sesion_caja":%s,"detalles":[' ..
    '{"id_producto":%d,"cantidad":%d},{"id_producto":%d,"cantidad":%d},{"id_producto":%d,"cantidad":%d}]}',
    metodo, s.sid, a, math.random(3), b, math.random(3), c, math.random(3))
  return wrk.format("POST", "/ventas", {["Authorization"] = s.auth, ["Content-Type"] = "application/json"}, body)
end
dofile("scripts/bench/report.lua")
