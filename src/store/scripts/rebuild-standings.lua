--[[
rebuild-standings: a task's standings string (see record-report.lua) made from its progress hash,
in one step, for a task whose string is missing: written before standings existed, or reported
on while it was missing. Reports never write a string that is not whole, so this one is.

KEYS[1]  progress hash of the task     (field: township id, value: progress JSON)
KEYS[2]  standings of the task

ARGV     township id, slot, township id, slot, … for every township with a slot

Returns the standings string (empty when the task has no progress).
]]

local slots = {}
local last = -1
for i = 1, #ARGV, 2 do
  local slot = tonumber(ARGV[i + 1])
  slots[ARGV[i]] = slot
  if slot > last then
    last = slot
  end
end

local records = {}
local progress = redis.call('HGETALL', KEYS[1])
for i = 1, #progress, 2 do
  local slot = slots[progress[i]]
  if slot then
    local one = cjson.decode(progress[i + 1])
    records[slot] = struct.pack('>d', tonumber(one.amount)) .. one.at .. string.rep(' ', 32 - #one.at)
  end
end

local empty = string.rep('\0', 40)
local parts = {}
for slot = 0, last do
  parts[#parts + 1] = records[slot] or empty
end
local standings = table.concat(parts)
redis.call('SET', KEYS[2], standings)
return standings
