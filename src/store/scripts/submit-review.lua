--[[
submit-review: 完成审核 — a report that reached the target waits for a leader, with its ledger
entry, in one atomic step. Run after the report is recorded (and again for a redelivered one:
a crash between the two must not leave a completion nobody reviews).

KEYS[1]  progress hash of the task
KEYS[2]  reviews hash of the task (field: township id, value: review JSON)
KEYS[3]  ledger stream of the task

ARGV[1]  township id
ARGV[2]  id of the completing report
ARGV[3]  review JSON (state 'pending', naming the report)
ARGV[4…] the ledger entry's fields, as field/value pairs

Returns 'submitted', 'already' (this report waits or was decided) or 'stale' (progress no
longer stands on that report: a later one or 撤回 came first).
]]

local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current or cjson.decode(current).entry ~= ARGV[2] then
  return 'stale'
end
local review = redis.call('HGET', KEYS[2], ARGV[1])
if review and cjson.decode(review).report == ARGV[2] then
  return 'already'
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
redis.call('XADD', KEYS[3], '*', unpack(ARGV, 4))
return 'submitted'
