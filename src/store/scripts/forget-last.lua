--[[
forget-last: delete a reporter's "last report" marker only while it still names the given
entry. After a reversal the marker must go, so a second 撤回 cannot undo an earlier report; but
if the reporter reported again in the meantime, the marker names that newer report and stays.

KEYS[1]  the reporter's last-report key (JSON with an `entry` field)

ARGV[1]  the ledger entry id that was reversed

Returns 1 when the marker was deleted, 0 when it was absent or names another entry.
]]

local last = redis.call('GET', KEYS[1])
if not last then
  return 0
end
local ok, decoded = pcall(cjson.decode, last)
if ok and type(decoded) == 'table' and decoded.entry == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
