--[[
record-report: one progress report, deduplicated by its source message, in one atomic step.

KEYS[1]  progress hash of the task     (field: township id, value: progress JSON)
KEYS[2]  ledger stream of the task
KEYS[3]  seen marker of the source message (value: the ledger entry id it produced)
KEYS[4]  standings of the task: what ranking reads (see below)
KEYS[5]  deadlines granted in the task (field: township id, value: grant JSON)
KEYS[6]  reviews of the task (field: township id, value: review JSON)

ARGV[1]  township id
ARGV[2]  amount, a decimal number as text
ARGV[3]  value as typed (80%, 八成, 12/13)
ARGV[4]  note
ARGV[5]  reporter platform
ARGV[6]  reporter user id
ARGV[7]  reporter name
ARGV[8]  at, ISO instant
ARGV[9]  source message id
ARGV[10] seconds the seen marker lives
ARGV[11] the township's slot in the standings (0, 1, 2 …; never reused)
ARGV[12] repeat window start, an instant in the same form as ARGV[8]
ARGV[13] ARGV[8] in epoch milliseconds, for the standings

Returns {status, entry id, entry fields as a flat field/value list (for 'recorded' only `kind` and
`prev`: the caller knows the rest, having just sent it), then what the answer shows of
the cell once the script is done: the township's progress JSON, its granted deadline JSON and its
review JSON ('' where there is none), the ledger's length, and 1 when the entry's record was
written into the standings (0 otherwise)}: the report's answer and the ranking book kept in the
process need no other read of this task.
  status 'recorded'  : the entry was appended and progress set
  status 'duplicate' : the source was recorded before; nothing written, its entry is returned
                       (fields empty when that entry is gone from the ledger)
  status 'repeat'    : another message saying the same thing: the township's progress still
                       stands on an entry by the same reporter, at or after ARGV[12], with the
                       same amount, value and note. Nothing is written but this source's seen
                       marker; that entry is returned. A clerk told to send a report again (the
                       bot failed after recording it) or whose phone sent it twice gets one entry.
  status 'closed'    : a leader passed (通过) the report the township's progress stands on: its part
                       of the task is closed and nothing is written (entry id and fields empty).

Every ledger entry keeps `prev`, the progress JSON exactly as it stood before the entry (empty:
none), so a reversal can restore it byte for byte. Amounts stay text inside progress JSON too:
cjson prints numbers with 14 significant digits, text passes through unchanged.

Standings: one string per task, a 16-byte record per township slot — the amount, then the
report's time in epoch milliseconds, both little-endian doubles (src/store/slots.ts reads them as
a Float64Array without decoding); all zero bytes where no progress stands. Ranking 20,000
townships × 300 tasks reads 300 such strings instead of six million hash fields. The string is
kept only while it is whole: written when it exists or the task has no progress yet; else left
for set-standings.lua, which stores one made from the progress hash.
]]

local township = ARGV[1]

-- What the answer shows of the cell, as it stands when the script ends.
local function cell(status, id, fields, written)
  return {
    status, id, fields,
    redis.call('HGET', KEYS[1], township) or '',
    redis.call('HGET', KEYS[5], township) or '',
    redis.call('HGET', KEYS[6], township) or '',
    redis.call('XLEN', KEYS[2]),
    written,
  }
end

local seen = redis.call('GET', KEYS[3])
if seen then
  local found = redis.call('XRANGE', KEYS[2], seen, seen)
  if #found == 0 then
    return cell('duplicate', seen, {}, 0)
  end
  return cell('duplicate', seen, found[1][2], 0)
end

local amount = ARGV[2]
local before = redis.call('HGET', KEYS[1], township)
if not before then
  before = ''
end

local prev = nil
if before ~= '' then
  prev = cjson.decode(before)
  local review = redis.call('HGET', KEYS[6], township)
  if review then
    review = cjson.decode(review)
    if review.state == 'approved' and review.report == prev.entry then
      return cell('closed', '', {}, 0)
    end
  end
  -- Text order is time order only between instants of one form; both come from beijingInstant.
  local recent = type(prev.at) == 'string' and #prev.at == #ARGV[12] and prev.at >= ARGV[12]
  if recent and type(prev.by) == 'table' and prev.amount == amount and prev.by.platform == ARGV[5] and prev.by.user == ARGV[6] then
    local found = redis.call('XRANGE', KEYS[2], prev.entry, prev.entry)
    if #found == 1 then
      local fields = {}
      for i = 1, #found[1][2], 2 do
        fields[found[1][2][i]] = found[1][2][i + 1]
      end
      if fields.value == ARGV[3] and fields.note == ARGV[4] then
        redis.call('SET', KEYS[3], prev.entry, 'EX', tonumber(ARGV[10]))
        return cell('repeat', prev.entry, found[1][2], 0)
      end
    end
  end
end

local standingsWhole = before == '' and redis.call('HLEN', KEYS[1]) == 0 or redis.call('EXISTS', KEYS[4]) == 1

local kind = 'report'
if prev and tonumber(amount) < tonumber(prev.amount) then
  kind = 'correction'
end

local fields = {
  'kind', kind,
  'township', township,
  'amount', amount,
  'value', ARGV[3],
  'note', ARGV[4],
  'platform', ARGV[5],
  'user', ARGV[6],
  'name', ARGV[7],
  'at', ARGV[8],
  'source', ARGV[9],
  'prev', before,
}
local id = redis.call('XADD', KEYS[2], '*', unpack(fields))

local after = cjson.encode({
  amount = amount,
  at = ARGV[8],
  entry = id,
  by = { platform = ARGV[5], user = ARGV[6], name = ARGV[7] },
})
redis.call('HSET', KEYS[1], township, after)
local written = 0
if standingsWhole then
  redis.call('SETRANGE', KEYS[4], tonumber(ARGV[11]) * 16, struct.pack('<dd', tonumber(amount), tonumber(ARGV[13])))
  written = 1
end
redis.call('SET', KEYS[3], id, 'EX', tonumber(ARGV[10]))

return cell('recorded', id, { 'kind', kind, 'prev', before }, written)
