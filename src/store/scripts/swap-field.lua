--[[
swap-field: set a hash field to a new value only while it still holds the value the caller read
(compare and set). 销号 and 恢复 change a task this way, so two admins at once change it once.

KEYS[1]  the hash

ARGV[1]  the field
ARGV[2]  the value the caller read
ARGV[3]  the new value

Returns 1 when the field was set, 0 when it held something else (or nothing).
]]

if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
