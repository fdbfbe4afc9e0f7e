--[[
approve-review: 通过 — a leader passes a completion waiting for review, with its ledger entry,
in one atomic step; deduplicated by the source message.

KEYS[1]  reviews hash of the task
KEYS[2]  ledger stream of the task
KEYS[3]  seen marker of the source message

ARGV[1]  township id
ARGV[2]  review JSON as the caller read it (state 'pending')
ARGV[3]  review JSON passed (state 'approved')
ARGV[4]  seconds the seen marker lives
ARGV[5…] the ledger entry's fields, as field/value pairs

Returns 'approved', 'duplicate' or 'changed' (read again: decided, undone or resubmitted since).
]]

if redis.call('EXISTS', KEYS[3]) == 1 then
  return 'duplicate'
end
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then
  return 'changed'
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
local id = redis.call('XADD', KEYS[2], '*', unpack(ARGV, 5))
redis.call('SET', KEYS[3], id, 'EX', ARGV[4])
return 'approved'
