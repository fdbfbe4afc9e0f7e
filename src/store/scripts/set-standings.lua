--[[
set-standings: a task's standings string (see record-report.lua), made in the process from its
progress hash, stored only if the progress is still what was read. For a task whose string is
missing: written before this layout existed, reported on while it was missing, or dropped by a
reversal (reverse-report.lua). Reports never write a string that is not whole, so this one is.

Every change of a task's progress appends to its ledger in the same script, and a ledger is never
trimmed: an unchanged length means the hash read with it is still the task's progress.

KEYS[1]  standings of the task
KEYS[2]  ledger stream of the task
KEYS[3]  the task's standings in the 40-byte layout of earlier versions: dropped, nothing reads it

ARGV[1]  the ledger's length when the progress hash was read (in one MULTI with it)
ARGV[2]  the standings string made from that hash

Returns 1 when stored, 0 when a string exists already (read it), -1 when the progress changed
since it was read (read it again).
]]

if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
if redis.call('XLEN', KEYS[2]) ~= tonumber(ARGV[1]) then
  return -1
end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('DEL', KEYS[3])
return 1
