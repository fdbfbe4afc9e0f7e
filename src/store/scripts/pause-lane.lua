--[[
pause-lane: push everything a lane has scheduled, and its next free moment, later by the
same amount. The platform said "too fast" (or failed): nothing may go out before the pause ends,
and what was queued keeps its order and spacing.

KEYS[1]  the lane's pacing hash (see reserve-slot)

ARGV[1]  now (ms since the epoch)
ARGV[2]  the pause (ms)
ARGV[3]  how long to keep the hash (ms)

Returns the new shift (ms) as a string.
]]

local now = tonumber(ARGV[1])
local pause = tonumber(ARGV[2])
local nextFree = tonumber(redis.call('HGET', KEYS[1], 'next') or '0')
local shift = tonumber(redis.call('HGET', KEYS[1], 'shift') or '0') + pause
redis.call('HSET', KEYS[1], 'shift', string.format('%d', shift), 'next', string.format('%d', math.max(nextFree, now) + pause))
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return string.format('%d', shift)
