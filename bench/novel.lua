-- wrk script: novel questions, each request drawn from a seeded PRNG.
--   wrk ... -s bench/novel.lua URL -- DATA_FILE STREAM SIDE SEED
-- DATA_FILE (written by bench/novel.py) holds tab-separated lines: the URL templates
-- ("template", side, stream, path with {field}s) and the pools the fields are drawn from
-- ("theme", "era", "region" and "word" values, "years" min max, "span" max). Each thread
-- seeds its PRNG with SEED and its own number, so a run asks the same sequence of questions
-- of every server, and another run the same again.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")  -- `done`: the parseable summary line

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

local template
local pools = {}
local years, span = { 0, 0 }, 0

local function split(line)
  local fields = {}
  for field in line:gmatch("[^\t]+") do
    fields[#fields + 1] = field
  end
  return fields
end

local function pick(list)
  return list[math.random(#list)]
end

function init(args)
  local data, stream, side, seed = args[1], args[2], args[3], tonumber(args[4])
  for line in io.lines(data) do
    local f = split(line)
    if f[1] == "template" then
      if f[2] == side and f[3] == stream then template = f[4] end
    elseif f[1] == "years" then
      years = { tonumber(f[2]), tonumber(f[3]) }
    elseif f[1] == "span" then
      span = tonumber(f[2])
    else
      pools[f[1]] = pools[f[1]] or {}
      table.insert(pools[f[1]], f[2])
    end
  end
  assert(template, "no template for " .. side .. " " .. stream .. " in " .. data)
  math.randomseed(seed * 1000 + thread_number)
end

-- One draw per field, in a fixed order, whatever the template uses: the sequence of
-- questions is then the same for every stream's template of a side.
local function draw()
  local first = math.random(years[1], years[2])
  return {
    theme = pick(pools.theme),
    from = first,
    to = math.min(years[2], first + math.random(0, span)),
    era = pick(pools.era),
    region = pick(pools.region),
    word = pick(pools.word),
  }
end

function request()
  local path = template:gsub("{(%w+)}", draw())
  return wrk.format("GET", path)
end
