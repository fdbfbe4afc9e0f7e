--[[
swap-field: set a hash field to a new value only while it still holds the value the caller read
(compare and set). 销号 and 恢复 change a task this way, so two admins at once change it once;
销假 ends a leave this way.

KEYS[1]  the hash
KEYS[2]  the version key of the data the hash belongs to (the county's: see county.ts)

ARGV[1]  the field
ARGV[2]  the value the caller read
ARGV[3]  the new value
ARGV[4]  a new version, stamped on KEYS[2] with the change, so every copy of the old one is dropped

Returns 1 when the field was set, 0 when it held something else (or nothing).
]]

if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('SET', KEYS[2], ARGV[4])
return 1
