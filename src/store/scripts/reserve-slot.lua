--[[
reserve-slot: give the next message(s) for one lane a send time, so that every lane's posts
are spaced and in the order they were enqueued, whichever process enqueues them.

KEYS[1]  the lane's pacing hash: `next` (ms, the first free moment), `shift` (ms, how far a
         pause has pushed everything already scheduled)

ARGV[1]  now (ms since the epoch)
ARGV[2]  how many platform messages the post takes
ARGV[3]  the spacing between two messages (ms)
ARGV[4]  how long to keep the hash (ms)

Returns {at, shift} as strings: the post goes out at `at`; stored as `at - shift`, it moves
with any later pause.
]]

local now = tonumber(ARGV[1])
local nextFree = tonumber(redis.call('HGET', KEYS[1], 'next') or '0')
local shift = tonumber(redis.call('HGET', KEYS[1], 'shift') or '0')
local at = math.max(now, nextFree)
redis.call('HSET', KEYS[1], 'next', string.format('%d', at + tonumber(ARGV[2]) * tonumber(ARGV[3])))
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return { string.format('%d', at), string.format('%d', shift) }
