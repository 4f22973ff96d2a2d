"""The questions asked of both servers, as Anales URLs and as the Datasette requests that
return the same rows.

Datasette gets one request per question, as Anales does: a `?sql=` query with named
parameters (the slugs are resolved inside the SQL, as Anales resolves them per request) and
`_shape=array`, or its table view for full-text search. The list queries return the first
page and the total, like Anales' `{items, total, total_exact, next}`: 21 rows (20 and one to
know there is a next page) plus a `total` column counted over the same conditions up to
COUNT_LIMIT + 1 matches, as Anales counts by default (`total_exact` false past COUNT_LIMIT).
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from app.schemas.base import COUNT_LIMIT

# The columns of Anales' PassageItem.
PASSAGE_COLUMNS = (
    "p.id, p.text, p.start_year, p.end_year, p.position, p.footnotes, "
    "p.source_file, p.source_line, p.checksum, p.note"
)

# (a) theme + years. `linked_to` in app/repositories/base.py: id IN (SELECT passage_id ...).
THEME_YEARS_SQL = f"""
with matching as not materialized (
  select {PASSAGE_COLUMNS} from passages p
  where p.id in (
      select pt.passage_id from passage_themes pt join themes t on t.id = pt.theme_id
      where t.slug = :theme)
    and p.start_year <= :year_to and p.end_year >= :year_from
)
select m.*, (select count(*) from (select 1 from matching limit {COUNT_LIMIT + 1})) as total
from matching m order by m.position, m.id limit 21
"""

# (b) era (the period and its phases, recursively) + region (and the regions inside it).
ERA_REGION_SQL = f"""
with recursive era(id) as (
  select id from periods where slug = :era
  union select c.id from periods c join era on c.parent_id = era.id
), area(id) as (
  select id from regions where slug = :region
  union select c.id from regions c join area on c.parent_id = area.id
), matching as not materialized (
  select {PASSAGE_COLUMNS} from passages p
  where p.id in (select passage_id from passage_periods where period_id in (select id from era))
    and p.id in (select passage_id from passage_regions where region_id in (select id from area))
)
select m.*, (select count(*) from (select 1 from matching limit {COUNT_LIMIT + 1})) as total
from matching m order by m.position, m.id limit 21
"""

# (c) an actor with its linked passages and events embedded, as Anales' ActorDetail: the
# first 100 of each (passages in source order, events by date) and how many there are in
# all, in one row whose `passages` and `events` columns are JSON arrays (decoded by `_json=`).
ACTOR_DETAIL_SQL = """
select a.id, a.slug, a.name, a.kind, a.aliases, a.role, a.description,
  a.start_year, a.end_year, a.note,
  (select json_group_array(json_object(
      'id', x.id, 'text', x.text, 'start_year', x.start_year, 'end_year', x.end_year))
   from (select p.id, p.text, p.start_year, p.end_year from passages p
         join passage_actors pa on pa.passage_id = p.id
         where pa.actor_id = a.id order by p.position, p.id limit 100) x) as passages,
  (select count(*) from passage_actors pa where pa.actor_id = a.id) as passages_total,
  (select json_group_array(json_object(
      'slug', x.slug, 'name', x.name, 'date', x.date,
      'start_year', x.start_year, 'end_year', x.end_year))
   from (select e.slug, e.name, e.date, e.start_year, e.end_year from events e
         join event_actors ea on ea.event_id = e.id
         where ea.actor_id = a.id order by e.start_date, e.end_date, e.id limit 100) x) as events,
  (select count(*) from event_actors ea where ea.actor_id = a.id) as events_total
from actors a where a.slug = :slug
"""

# (e) the timeline: every period (with its parent) and every event, chronologically, in one
# row of two JSON arrays.
TIMELINE_SQL = """
select
  (select json_group_array(json_object(
      'slug', x.slug, 'name', x.name, 'start_year', x.start_year, 'end_year', x.end_year,
      'description', x.description, 'aliases', json(x.aliases), 'note', x.note,
      'parent', case when x.parent_slug is null then null else json_object(
          'slug', x.parent_slug, 'name', x.parent_name,
          'start_year', x.parent_start, 'end_year', x.parent_end) end))
   from (select p.*, q.slug as parent_slug, q.name as parent_name,
                q.start_year as parent_start, q.end_year as parent_end
         from periods p left join periods q on q.id = p.parent_id
         order by p.start_year, p.end_year, p.id) x) as periods,
  (select json_group_array(json_object(
      'slug', x.slug, 'name', x.name, 'date', x.date, 'start_year', x.start_year,
      'end_year', x.end_year, 'description', x.description, 'aliases', json(x.aliases),
      'start_date', x.start_date, 'end_date', x.end_date, 'note', x.note))
   from (select * from events order by start_date, end_date, id) x) as events
"""

# A novel search word: passages whose text holds it, counted like (a). FTS5 matches whole
# tokens, Anales' `q=` substrings of the folded text; bench/novel.py only draws words that no
# other token contains, for which the two are the same set.
WORD_SQL = f"""
with matching as not materialized (
  select {PASSAGE_COLUMNS} from passages p
  where p.id in (select rowid from passages_fts where passages_fts match '"' || :word || '"')
)
select m.*, (select count(*) from (select 1 from matching limit {COUNT_LIMIT + 1})) as total
from matching m order by m.position, m.id limit 21
"""

SEARCH_WORDS = "seguridad colectiva"
# A name no passage holds (Andréi Zhdánov is not in the corpus): a search that finds nothing
# must not cost a scan of every passage.
ABSENT_WORD = "zhdanov"


@dataclass(frozen=True)
class Question:
    key: str
    label: str
    anales: str
    datasette: str  # path under the database, e.g. "/anales-15.json?sql=..."
    compare_ids: bool = False  # Anales and Datasette must return the same passage ids
    conditional: bool = False  # revalidation with If-None-Match (Anales only)
    # A stream of novel questions: `anales` and `datasette` are templates whose `{name}`
    # fields bench/novel.lua (under load) and bench/novel.py (the checked sample) fill in.
    novel: bool = False


def _sql(sql: str, **params: str) -> str:
    query = {"sql": " ".join(sql.split()), **params, "_shape": "array"}
    return "?" + urlencode(query)


def questions(database: str) -> list[Question]:
    """The request mix; `database` is Datasette's name for the file (its stem)."""
    db = f"/{database}.json"

    def search(key: str, label: str, words: str) -> Question:
        """`q=` on the passage list; Datasette's `_search` over the passages' FTS table."""
        return Question(
            key,
            label,
            "/api/v1/passages?" + urlencode({"q": words}),
            f"/{database}/passages.json?"
            + urlencode({"_search": words, "_size": "20", "_shape": "objects"}),
        )

    theme_years = Question(
        "a",
        "(a) theme + from/to",
        "/api/v1/passages?theme=seguridad-colectiva&from=1930&to=1939",
        db + _sql(THEME_YEARS_SQL, theme="seguridad-colectiva", year_from="1930", year_to="1939"),
        compare_ids=True,
    )
    return [
        theme_years,
        Question(
            "b",
            "(b) era + region",
            "/api/v1/passages?era=guerra-fria&region=tercer-mundo",
            db + _sql(ERA_REGION_SQL, era="guerra-fria", region="tercer-mundo"),
            compare_ids=True,
        ),
        Question(
            "c",
            "(c) actor detail (kgb)",
            "/api/v1/actors/kgb",
            db + _sql(ACTOR_DETAIL_SQL, slug="kgb") + "&_json=passages&_json=events",
        ),
        search("d", "(d) search q", SEARCH_WORDS),
        search("g", "(g) search q, a word no passage holds", ABSENT_WORD),
        Question(
            "e",
            "(e) timeline",
            "/api/v1/timeline",
            db + _sql(TIMELINE_SQL) + "&_json=periods&_json=events",
        ),
        Question(
            "f",
            "(f) (a) revalidated, If-None-Match",
            theme_years.anales,
            theme_years.datasette,
            conditional=True,
        ),
    ]


def _fields(**names: str) -> str:
    """`&name={field}…`, left unencoded for the templates' fields."""
    return "".join(f"&{name}={{{field}}}" for name, field in names.items())


def novel_questions(database: str) -> list[Question]:
    """The three streams of novel questions, as URL templates over the fields `theme`,
    `from`, `to`, `era`, `region` and `word` (drawn per request, URL-safe)."""
    db = f"/{database}.json"
    return [
        Question(
            "n1",
            "(n1) novel theme + from/to",
            "/api/v1/passages?theme={theme}&from={from}&to={to}",
            db + _sql(THEME_YEARS_SQL) + _fields(theme="theme", year_from="from", year_to="to"),
            compare_ids=True,
            novel=True,
        ),
        Question(
            "n2",
            "(n2) novel era + region",
            "/api/v1/passages?era={era}&region={region}",
            db + _sql(ERA_REGION_SQL) + _fields(era="era", region="region"),
            compare_ids=True,
            novel=True,
        ),
        Question(
            "n3",
            "(n3) novel search word",
            "/api/v1/passages?q={word}",
            db + _sql(WORD_SQL) + _fields(word="word"),
            compare_ids=True,
            novel=True,
        ),
    ]
