--[[
queue-depth: how many of a BullMQ queue's jobs wait in each state, by the job's name (the
outbox names a post's job by its platform). A job id names no platform reliably (a chat id may
hold any character), and the ids of queued posts cannot change under them: a post is queued once
by its id, across a deploy too. So each job's hash is asked, here, in one round trip: 20,000
queued posts hold Redis for about 40 ms on this project's machine, once a scrape (Prometheus's
default interval is a minute; 15 s is common), and only while a fan-out is being delivered.

A job queued before its name was its platform is named 'post': its platform is read from its data.

KEYS     each state's list or sorted set of job ids (BullMQ's `wait`, `delayed`…)

ARGV[1]  what a job's id is prefixed with to make its hash's key
ARGV[2…] each state's name, in the order of KEYS

Returns a flat array: state, name, count, state, name, count…
]]

local counts = {}
local order = {}
for i, key in ipairs(KEYS) do
  local kind = redis.call('TYPE', key)['ok']
  local ids = {}
  if kind == 'list' then
    ids = redis.call('LRANGE', key, 0, -1)
  elseif kind == 'zset' then
    ids = redis.call('ZRANGE', key, 0, -1)
  end
  for _, id in ipairs(ids) do
    local job = ARGV[1] .. id
    local name = redis.call('HGET', job, 'name')
    if name == 'post' then
      local ok, data = pcall(cjson.decode, redis.call('HGET', job, 'data') or '')
      name = ok and type(data) == 'table' and type(data.post) == 'table' and data.post.platform or 'unknown'
    end
    if name then
      local slot = ARGV[i + 1] .. '\n' .. name
      if counts[slot] == nil then
        counts[slot] = 0
        order[#order + 1] = { ARGV[i + 1], name, slot }
      end
      counts[slot] = counts[slot] + 1
    end
  end
end

local out = {}
for _, entry in ipairs(order) do
  out[#out + 1] = entry[1]
  out[#out + 1] = entry[2]
  out[#out + 1] = counts[entry[3]]
end
return out
