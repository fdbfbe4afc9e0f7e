--[[
spend-budget: count one message against a conversation's limits, each a number of messages in a
sliding window (WeCom's long connection: 30 a minute and 1,000 an hour per conversation, replies
and pushes together). A sorted set holds the send times of the longest window.

KEYS[1]  the budget (sorted set: member → send time, ms)

ARGV[1]  now (ms since the epoch)
ARGV[2]  a member unique to this message
ARGV[3]  1: count it even when a window is full (a reply someone waits for), 0: only if all have room
ARGV[4…] pairs: a window's length (ms) and how many messages it allows

Returns 0 when the message was counted, else how long (ms) until every window has room.
]]

local now = tonumber(ARGV[1])
local longest = 0
for i = 4, #ARGV, 2 do longest = math.max(longest, tonumber(ARGV[i])) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - longest)

local wait = 0
if ARGV[3] ~= '1' then
  for i = 4, #ARGV, 2 do
    local window = tonumber(ARGV[i])
    local allowed = tonumber(ARGV[i + 1])
    local inside = redis.call('ZRANGEBYSCORE', KEYS[1], now - window, '+inf')
    if #inside >= allowed then
      -- Room comes when the oldest send that keeps the window full leaves it.
      local oldest = tonumber(redis.call('ZSCORE', KEYS[1], inside[#inside - allowed + 1]))
      wait = math.max(wait, oldest + window - now + 1)
    end
  end
end
if wait > 0 then return wait end
redis.call('ZADD', KEYS[1], now, ARGV[2])
redis.call('PEXPIRE', KEYS[1], longest)
return 0
