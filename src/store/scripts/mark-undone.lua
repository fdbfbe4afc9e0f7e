--[[
mark-undone: mark a reporter's "last report" marker as taken back, only while it still names the
given entry. After a reversal a second 撤回 must not undo an earlier report, and should say that
the last one was taken back already; but if the reporter reported again in the meantime, the
marker names that newer report and stays as it is.

KEYS[1]  the reporter's last-report key (JSON with an `entry` field)

ARGV[1]  the ledger entry id that was reversed
ARGV[2]  the marker to keep instead (the same report, marked undone); its expiry is kept

Returns 1 when the marker was replaced, 0 when it was absent or names another entry.
]]

local last = redis.call('GET', KEYS[1])
if not last then
  return 0
end
local ok, decoded = pcall(cjson.decode, last)
if ok and type(decoded) == 'table' and decoded.entry == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
  return 1
end
return 0
