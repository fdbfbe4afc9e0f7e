--[[
raise-seq: lift a counter to at least a value, never lower it. loadCounty uses it so that the
next 新建任务 gets an id above every `T<n>` in the setup file, while a counter that has already
gone further (tasks created in chat) keeps its place.

KEYS[1]  the counter (a string holding an integer; missing counts as 0)

ARGV[1]  the least value, an integer

Returns the counter's value afterwards, an integer.
]]

local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local least = tonumber(ARGV[1])
if least > current then
  redis.call('SET', KEYS[1], ARGV[1])
  return least
end
return current
