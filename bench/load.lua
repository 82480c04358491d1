-- wrk script: the benchmark's clients (bench/run.py starts wrk with it).
--
--   wrk -t16 -c16 -d20s -s bench/load.lua URL -- <scenario> <data file> <run number>
--
-- One wrk thread per connection, so each thread is one client with its own Lua state and
-- its own seeded random stream. A client acts for its share of the seeded people (client
-- k serves people k, k+C, k+2C, ...), one "visit" of VISIT requests per person at a time,
-- each request carrying that person's bearer token. The data file (written by run.py)
-- holds the tokens, each person's entry and session ids, and ready-made JSON bodies.
--
-- Scenarios: list, detail, stats, search, session, knowledge, write, mix, ceiling.
-- The mix is the mobile-like one of the issue: list 30 %, detail 25 %, stats 10 %,
-- search 10 %, session 10 %, knowledge 5 %, writes 10 %.

local VISIT = 20
local MIX = {
  {"list", 30}, {"detail", 25}, {"stats", 10}, {"search", 10},
  {"session", 10}, {"knowledge", 5}, {"write", 10},
}

local created = 0
local all_threads = {}

function setup(thread)
  thread:set("client", created)
  created = created + 1
  table.insert(all_threads, thread)
end

local scenario, data, people, person, visit_left, turn

local function pick(list)
  return list[math.random(#list)]
end

-- An index in 1..n with weight 1/rank: a few items are popular, many are rare.
local function zipf(n)
  local total = 0
  for rank = 1, n do total = total + 1 / rank end
  local x = math.random() * total
  for rank = 1, n do
    x = x - 1 / rank
    if x <= 0 then return rank end
  end
  return n
end

local function weighted(choices)
  local x = math.random(100)
  for _, choice in ipairs(choices) do
    x = x - choice[2]
    if x <= 0 then return choice[1] end
  end
  return choices[#choices][1]
end

-- Entries newest first. People mostly open what they wrote lately: 60 % of reads are on
-- the first page (the 20 newest), 25 % on the next two pages, 15 % anywhere older.
local function between(list, first, last)
  last = math.min(last, #list)
  if first > last then return list[math.random(#list)] end
  return list[math.random(first, last)]
end

local function entry_id(entries)
  local x = math.random(100)
  if x <= 60 then return between(entries, 1, 20) end
  if x <= 85 then return between(entries, 21, 60) end
  return between(entries, 61, #entries)
end

local function headers(token, json)
  local h = {["Authorization"] = "Bearer " .. token, ["Accept"] = "application/json"}
  if json then h["Content-Type"] = "application/json" end
  return h
end

local function get(path)
  return wrk.format("GET", path, headers(person.token, false))
end

local function send(method, path, body)
  return wrk.format(method, path, headers(person.token, true), body)
end

local build = {}

function build.list()
  local x = math.random(100)
  if x <= 60 then return get("/api/v1/entries/") end
  if x <= 80 then return get("/api/v1/entries/?page=2") end
  if x <= 90 then return get("/api/v1/entries/?page=3") end
  return get("/api/v1/entries/?tag=" .. person.tags[zipf(#person.tags)])
end

function build.detail()
  return get("/api/v1/entries/" .. entry_id(person.entries) .. "/")
end

function build.stats()
  local x = math.random(100)
  if x <= 70 then return get("/api/v1/stats/") end
  if x <= 90 then return get("/api/v1/stats/?days=7") end
  return get("/api/v1/stats/?days=365")
end

function build.search()
  local path = "/api/v1/entries/?q=" .. data.search_terms[zipf(#data.search_terms)]
  if math.random(10) == 1 then path = path .. "&page=2" end
  return get(path)
end

-- Half the reads are of the session in progress (the last one), half of older ones.
function build.session()
  local sessions = person.sessions
  if math.random(2) == 1 or #sessions == 1 then return get("/api/v1/sessions/" .. sessions[#sessions] .. "/") end
  return get("/api/v1/sessions/" .. sessions[math.random(#sessions - 1)] .. "/")
end

function build.knowledge()
  local x = math.random(100)
  if x <= 20 then return get("/api/v1/knowledge/") end
  if x <= 40 then return get("/api/v1/knowledge/?category=" .. pick(data.categories)) end
  if x <= 80 then return get("/api/v1/knowledge/" .. data.slugs[zipf(#data.slugs)] .. "/") end
  return get("/api/v1/knowledge/?q=" .. pick(data.knowledge_terms))
end

-- Writes: 40 % new entries, 30 % edits of recent entries, 30 % messages in the session in progress.
function build.write()
  local x = math.random(100)
  if x <= 40 then return send("POST", "/api/v1/entries/", pick(data.create_bodies)) end
  if x <= 70 then
    local id = between(person.entries, 1, 20)
    return send("PATCH", "/api/v1/entries/" .. id .. "/", pick(data.patch_bodies))
  end
  return send("POST", "/api/v1/sessions/" .. person.sessions[#person.sessions] .. "/messages/", pick(data.message_bodies))
end

-- The ceiling: authentication plus a tiny serializer, through the same middleware.
function build.ceiling()
  return get("/api/v1/auth/me/")
end

function build.mix()
  return build[weighted(MIX)]()
end

function init(args)
  scenario = args[1] or "mix"
  data = dofile(args[2])
  if build[scenario] == nil then error("unknown scenario " .. scenario) end
  -- Every wrk run of a scenario (the warm-up, each measured slice) draws a new sequence:
  -- replaying the warm-up's requests would turn them all into cache hits. The k-th run
  -- has the same sequence in every mode, so the modes serve the same requests.
  local run = tonumber(args[3] or "0")
  math.randomseed(data.seed * 1000 + run * 10000 + client)
  people = {}
  for i = client + 1, #data.people, data.clients do table.insert(people, data.people[i]) end
  if #people == 0 then people = {data.people[(client % #data.people) + 1]} end
  turn = math.random(#people)
  person = people[turn]
  visit_left = VISIT
end

function request()
  if visit_left <= 0 then
    turn = turn % #people + 1
    person = people[turn]
    visit_left = VISIT
  end
  visit_left = visit_left - 1
  return build[scenario]()
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, '
      .. '"latency_us": {"p50": %d, "p95": %d, "p99": %d, "mean": %.1f, "max": %d}}\n',
    summary.requests, summary.duration, summary.bytes,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean, latency.max))
end
