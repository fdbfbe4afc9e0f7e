--[[
decide-request: 同意 or 不同意 on a request, with its ledger entry and (for 同意) the township's
new deadline, in one atomic step. The request is replaced only while it still holds what the
caller read (compare and set), so two leaders answering at once decide it once.

KEYS[1]  requests hash of the task
KEYS[2]  ledger stream of the task
KEYS[3]  deadlines hash of the task (field: township id, value: grant JSON)
KEYS[4]  seen marker of the source message

ARGV[1]  the request's number
ARGV[2]  the request JSON as the caller read it
ARGV[3]  the request JSON with its decision
ARGV[4]  township id
ARGV[5]  grant JSON for 同意; empty for 不同意
ARGV[6]  seconds the seen marker lives
ARGV[7…] the ledger entry's fields, as field/value pairs

Returns 'decided', 'duplicate' (this source decided it before) or 'changed' (read again).
]]

if redis.call('EXISTS', KEYS[4]) == 1 then
  return 'duplicate'
end
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then
  return 'changed'
end

redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
local openField = 'open:' .. ARGV[4]
if redis.call('HGET', KEYS[1], openField) == ARGV[1] then
  redis.call('HDEL', KEYS[1], openField)
end
if ARGV[5] ~= '' then
  redis.call('HSET', KEYS[3], ARGV[4], ARGV[5])
end
redis.call('XADD', KEYS[2], '*', unpack(ARGV, 7))
redis.call('SET', KEYS[4], ARGV[1], 'EX', ARGV[6])
return 'decided'
