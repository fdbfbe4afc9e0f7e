--[[
unlock: delete a lock only while it is still ours. A lock that expired and was taken by another
worker must not be freed by the one that lost it.

KEYS[1]  the lock
ARGV[1]  our token

Returns 1 when it was ours and is gone, 0 otherwise.
]]

if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
