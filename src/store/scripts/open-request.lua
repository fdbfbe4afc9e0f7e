--[[
open-request: a township's 申请延期, written with its ledger entry in one atomic step; one open
request per task and township; deduplicated by the source message.

KEYS[1]  requests hash of the task  (field <number>: request JSON; field open:<township>: its open number)
KEYS[2]  ledger stream of the task
KEYS[3]  seen marker of the source message (value: the request number it opened)

ARGV[1]  the request's number
ARGV[2]  township id
ARGV[3]  request JSON
ARGV[4]  seconds the seen marker lives
ARGV[5…] the ledger entry's fields, as field/value pairs

Returns {status, request JSON}
  'opened'    : written; the JSON is ARGV[3]
  'duplicate' : this source opened a request before; that request ('' when it is gone)
  'open'      : the township has an open request for the task; that request
]]

local seen = redis.call('GET', KEYS[3])
if seen then
  return {'duplicate', redis.call('HGET', KEYS[1], seen) or ''}
end

local openField = 'open:' .. ARGV[2]
local open = redis.call('HGET', KEYS[1], openField)
if open then
  return {'open', redis.call('HGET', KEYS[1], open) or ''}
end

redis.call('HSET', KEYS[1], ARGV[1], ARGV[3], openField, ARGV[1])
redis.call('XADD', KEYS[2], '*', unpack(ARGV, 5))
redis.call('SET', KEYS[3], ARGV[1], 'EX', ARGV[4])
return {'opened', ARGV[3]}
