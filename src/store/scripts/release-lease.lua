--[[
release-lease: give a lease up, if it is still this owner's (it may have expired and been taken).

KEYS[1]  the lease
ARGV[1]  the owner

Returns 1 when it was released, 0 when it was not the owner's.
]]

if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
