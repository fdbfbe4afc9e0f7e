--[[
sign-off: a township's 签收 of a task announced to it, written with its ledger entry in one atomic
step; once per task and township; deduplicated by the source message.

KEYS[1]  sign-off hash of the task  (field <township>: JSON {announced}; field signed:<township>: JSON signature)
KEYS[2]  ledger stream of the task
KEYS[3]  seen marker of the source message

ARGV[1]  township id
ARGV[2]  signature JSON
ARGV[3]  seconds the seen marker lives
ARGV[4…] the ledger entry's fields, as field/value pairs

Returns {status, signature JSON}
  'signed'        : written; the JSON is ARGV[2]
  'duplicate'     : this source was recorded before; the township's signature ('' when it is gone)
  'already'       : the township had signed before (another message); that signature
  'not-announced' : the task was never announced to the township; ''
]]

local signedField = 'signed:' .. ARGV[1]
if redis.call('EXISTS', KEYS[3]) == 1 then
  return {'duplicate', redis.call('HGET', KEYS[1], signedField) or ''}
end

if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then
  return {'not-announced', ''}
end

local before = redis.call('HGET', KEYS[1], signedField)
if before then
  return {'already', before}
end

local id = redis.call('XADD', KEYS[2], '*', unpack(ARGV, 4))
redis.call('HSET', KEYS[1], signedField, ARGV[2])
redis.call('SET', KEYS[3], id, 'EX', ARGV[3])
return {'signed', ARGV[2]}
