--[[
reverse-report: undo one report — 撤回 by its reporter, or 退回 by a leader reviewing a
completion — by appending a `reversal` or `returned` entry and restoring the progress that stood
before it, in one atomic step; deduplicated by the source message like a report. A completion
waiting for review that is undone waits no more; one a leader has passed (通过) is not undone.

KEYS[1]  progress hash of the task     (field: township id, value: progress JSON)
KEYS[2]  ledger stream of the task
KEYS[3]  seen marker of the source message (value: the ledger entry id it produced)
KEYS[4]  standings of the task (see record-report.lua)
KEYS[5]  reviews hash of the task (field: township id, value: review JSON naming its report)

ARGV[1]  township id
ARGV[2]  id of the ledger entry to reverse
ARGV[3]  platform of who reverses
ARGV[4]  user id of who reverses
ARGV[5]  name of who reverses
ARGV[6]  at, ISO instant
ARGV[7]  source message id
ARGV[8]  seconds the seen marker lives
ARGV[9]  the township's slot in the standings
ARGV[10] the entry's kind: 'reversal' (撤回) or 'returned' (退回)
ARGV[11] its note: 退回's reason; empty for 撤回

Returns {status, reversal entry id, reversal entry fields (flat list), restored progress JSON}
  status 'reversed'   : the reversal was appended; restored JSON empty when no progress remains
  status 'duplicate'  : the source was recorded before; nothing written, its entry is returned
                        (fields empty when that entry is gone from the ledger)
  status 'superseded' : a later entry set this township's progress; undoing would lose it
  status 'not-found'  : no report or correction with that id for that township
  status 'approved'   : a leader passed this completion (通过): it stands
]]

local function field(list, name)
  for i = 1, #list, 2 do
    if list[i] == name then
      return list[i + 1]
    end
  end
  return nil
end

-- The progress a reversal went back to is the `prev` of the entry it reverses.
local function restoredBy(fields)
  local reverses = field(fields, 'reverses')
  if not reverses then
    return ''
  end
  local target = redis.call('XRANGE', KEYS[2], reverses, reverses)
  if #target == 0 then
    return ''
  end
  return field(target[1][2], 'prev') or ''
end

local seen = redis.call('GET', KEYS[3])
if seen then
  local found = redis.call('XRANGE', KEYS[2], seen, seen)
  if #found == 0 then
    return {'duplicate', seen, {}, ''}
  end
  return {'duplicate', seen, found[1][2], restoredBy(found[1][2])}
end

local township = ARGV[1]
local entry = ARGV[2]

local target = redis.call('XRANGE', KEYS[2], entry, entry)
if #target == 0 then
  return {'not-found', '', {}, ''}
end
local reversed = target[1][2]
local reversedKind = field(reversed, 'kind')
if reversedKind == 'reversal' or reversedKind == 'returned' or field(reversed, 'township') ~= township then
  return {'not-found', '', {}, ''}
end

local current = redis.call('HGET', KEYS[1], township)
if not current or cjson.decode(current).entry ~= entry then
  return {'superseded', '', {}, ''}
end

local review = redis.call('HGET', KEYS[5], township)
local reviewed = review and cjson.decode(review).report == entry
if reviewed and cjson.decode(review).state == 'approved' then
  return {'approved', '', {}, ''}
end

local restored = field(reversed, 'prev') or ''
local amount = ''
if restored ~= '' then
  amount = cjson.decode(restored).amount
end

local fields = {
  'kind', ARGV[10],
  'township', township,
  'amount', amount,
  'value', '',
  'note', ARGV[11],
  'platform', ARGV[3],
  'user', ARGV[4],
  'name', ARGV[5],
  'at', ARGV[6],
  'source', ARGV[7],
  'reverses', entry,
  'prev', current,
}
local id = redis.call('XADD', KEYS[2], '*', unpack(fields))

if restored == '' then
  redis.call('HDEL', KEYS[1], township)
else
  redis.call('HSET', KEYS[1], township, restored)
end
-- A record holds the time in milliseconds, which the restored JSON does not: with progress to
-- restore the string is dropped and made again from the hash by the next reader (set-standings.lua);
-- reversals are rare, and Lua would otherwise need its own reading of ISO dates.
if restored ~= '' then
  redis.call('DEL', KEYS[4])
elseif redis.call('EXISTS', KEYS[4]) == 1 then
  redis.call('SETRANGE', KEYS[4], tonumber(ARGV[9]) * 16, string.rep('\0', 16))
end
if reviewed then
  redis.call('HDEL', KEYS[5], township)
end
redis.call('SET', KEYS[3], id, 'EX', tonumber(ARGV[8]))

return {'reversed', id, fields, restored}
