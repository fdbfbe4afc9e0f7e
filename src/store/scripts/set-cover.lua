--[[
set-cover: 设置AB角 marks a township's people at once, only while each person's record still holds
what the caller read (compare and set, as swap-field does for one field), and notes the township
as set in chat, so that a setup file which marks no one there keeps the marks on reload.

KEYS[1]  the people hash
KEYS[2]  the set of township ids whose AB角 chat set last
KEYS[3]  the county's version (see county.ts)

ARGV[1]  the township id
ARGV[2]  a new version, stamped on KEYS[3] when anything is written
ARGV[3…] triples: a person's field, the value the caller read, the new value

Returns 1 when every record was set, 0 when any held something else (then nothing is written).
]]

for i = 3, #ARGV, 3 do
  if redis.call('HGET', KEYS[1], ARGV[i]) ~= ARGV[i + 1] then
    return 0
  end
end
for i = 3, #ARGV, 3 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 2])
end
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('SET', KEYS[3], ARGV[2])
return 1
