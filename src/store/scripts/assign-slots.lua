--[[
assign-slots: gives each township id without one the next standings slot (see
record-report.lua). Slots are never reused or moved: a standings string stays valid when
townships come and go.

KEYS[1]  hash township id → slot
ARGV     township ids

Returns the number of slots given.
]]

local given = 0
for _, township in ipairs(ARGV) do
  if redis.call('HEXISTS', KEYS[1], township) == 0 then
    redis.call('HSET', KEYS[1], township, redis.call('HLEN', KEYS[1]))
    given = given + 1
  end
end
return given
