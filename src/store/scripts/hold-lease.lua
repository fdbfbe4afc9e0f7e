--[[
hold-lease: take a lease that nobody holds, or keep one this owner holds, for `ms` more.
Renewing only one's own lease is what stops an instance that was paused past the lease's end
from taking it back from the instance that has it since.

KEYS[1]  the lease (a string: its owner)

ARGV[1]  the owner
ARGV[2]  how long it holds (ms)

Returns 1 when the lease is the owner's now, 0 when another holds it.
]]

local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if holder then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
