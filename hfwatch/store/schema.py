"""The SQLite schema, versioned, with forward migrations.

`PRAGMA application_id` marks the file as hfwatch's and `PRAGMA user_version` holds the
schema version, so a foreign or newer file is recognised before anything is written.
"""

from __future__ import annotations

APPLICATION_ID = 0x68667763  # "hfwc"
SCHEMA_VERSION = 8

# Rollups are kept per hour: every poll in the same hour replaces that hour's row, so the
# dashboard reads O(families x hours) rows however often the fast lane polls.
ROLLUP_BUCKET_S = 3600

# Applied to a new file before anything else (auto_vacuum cannot be switched on once a table exists
# without rewriting the whole file): INCREMENTAL lets maintenance hand freed pages back to the OS in
# small steps instead of one long VACUUM.
NEW_FILE_PRAGMAS = ("PRAGMA auto_vacuum = INCREMENTAL",)

SCHEMA_V1 = """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT
) WITHOUT ROWID;

-- One row per model ever seen, with its attribution and its latest observed counters, so
-- that leaderboards never scan the observation history.
CREATE TABLE models (
    mid              INTEGER PRIMARY KEY,
    id               TEXT NOT NULL UNIQUE,
    author           TEXT,
    family           TEXT,
    base_family      TEXT,
    publisher_family TEXT,
    via              TEXT,
    country          TEXT,
    base_model       TEXT,
    created_at       INTEGER,
    pipeline         TEXT,
    library          TEXT,
    params           INTEGER,
    gated            TEXT,
    first_seen       INTEGER NOT NULL,
    last_seen        INTEGER NOT NULL,  -- exact when counters change, else to within a day (see ingest)
    t                INTEGER,
    d30              INTEGER,
    dall             INTEGER,
    likes            INTEGER,
    trend            INTEGER,
    -- downloadsAllTime as of the last poll that credited growth (see rollups)
    gdall            INTEGER
);
-- A family's models by 30-day downloads; `via` is in the index so the first-party view filters
-- without reading the rows it rejects.
CREATE INDEX models_family ON models (family, d30 DESC, via);
-- Covers the origin share of new releases (created_at window -> family, country) without row reads.
CREATE INDEX models_created ON models (created_at, family, country);
-- The newest first-party release per family, found with one seek per family.
CREATE INDEX models_newest ON models (via, family, created_at);

-- Counters of one model at one time, stored only when one of them changed.
CREATE TABLE observations (
    mid   INTEGER NOT NULL,
    t     INTEGER NOT NULL,
    d30   INTEGER,
    dall  INTEGER,
    likes INTEGER,
    trend INTEGER,
    PRIMARY KEY (mid, t)
) WITHOUT ROWID;

CREATE TABLE polls (
    pid            INTEGER PRIMARY KEY,
    lane           TEXT NOT NULL,
    started        REAL NOT NULL,
    finished       REAL NOT NULL,
    status         TEXT NOT NULL,
    requests       INTEGER NOT NULL DEFAULT 0,
    bytes          INTEGER NOT NULL DEFAULT 0,
    models         INTEGER NOT NULL DEFAULT 0,
    changed        INTEGER NOT NULL DEFAULT 0,
    new_models     INTEGER NOT NULL DEFAULT 0,
    error          TEXT,
    rate_remaining INTEGER,
    rate_limit     INTEGER,
    rate_reset_at  REAL
);
CREATE INDEX polls_lane ON polls (lane, status, finished);

-- Per family x scope, the state at the last poll of each hour (daily once old):
-- d30/dall are sums of the latest counters; growth is the running sum of increases of
-- downloadsAllTime of models already known (discovering a model adds nothing, a recount
-- that lowers a counter subtracts nothing), so rates never count discovery as downloads.
-- Growth is credited only by polls that list every tracked model (slow lane, import): a fast
-- poll sees a few hundred models, and crediting their growth early would make rates saw-tooth.
-- `tg` is the time of the poll that credited `growth`; (tg0, g0) is the same pair as of the first
-- poll of the bucket, so two polls within one hour still give a rate.
CREATE TABLE rollups (
    scope   TEXT NOT NULL,
    h       INTEGER NOT NULL,
    family  TEXT NOT NULL,
    t       INTEGER NOT NULL,
    models  INTEGER NOT NULL,
    d30     INTEGER NOT NULL,
    dall    INTEGER NOT NULL,
    growth  INTEGER NOT NULL,
    tg      INTEGER,
    tg0     INTEGER,
    g0      INTEGER,
    PRIMARY KEY (scope, h, family)
) WITHOUT ROWID;
CREATE INDEX rollups_family ON rollups (family, scope, h, t);

-- The running totals of each family x scope as of the latest poll: ingest adds each poll's deltas
-- here and snapshots them into `rollups`, so a poll costs O(changed models), not a sum over all.
CREATE TABLE totals (
    scope   TEXT NOT NULL,
    family  TEXT NOT NULL,
    models  INTEGER NOT NULL,
    d30     INTEGER NOT NULL,
    dall    INTEGER NOT NULL,
    growth  INTEGER NOT NULL,
    tg      INTEGER,
    PRIMARY KEY (scope, family)
) WITHOUT ROWID;

-- The feed: new releases in tracked families and entries into the trending top N.
CREATE TABLE events (
    eid   INTEGER PRIMARY KEY,
    t     INTEGER NOT NULL,
    kind  TEXT NOT NULL,
    mid   INTEGER NOT NULL,
    rank  INTEGER,
    pid   INTEGER
);
CREATE INDEX events_t ON events (t);

-- The latest trending ranking, to tell entries into the top N from models already there.
CREATE TABLE trending (
    mid  INTEGER PRIMARY KEY,
    rank INTEGER NOT NULL
);
"""

# Forward migrations: MIGRATIONS[n] takes a version-n database to version n+1.
# v2: growth dated by the Hub's daily refreshes (DESIGN §2). A v1 file keeps its models, observations and
# rollups; its growth was dated by polls, so rates start afresh from the refreshes seen after the upgrade.
SCHEMA_V2 = """
-- `asof`: the refresh instant this observation's downloadsAllTime is known to be the value of (an
-- endpoint of the model's growth); NULL when it is not known which refresh the value belongs to.
ALTER TABLE observations ADD COLUMN asof INTEGER;
-- The model's latest endpoint (refresh instant, downloadsAllTime), where its next growth starts.
ALTER TABLE models ADD COLUMN ea INTEGER;
ALTER TABLE models ADD COLUMN ev INTEGER;
-- How many models reported each counter: a sum over none of them is unknown, not 0.
ALTER TABLE totals ADD COLUMN n30 INTEGER NOT NULL DEFAULT 0;
ALTER TABLE totals ADD COLUMN nall INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollups ADD COLUMN n30 INTEGER;
ALTER TABLE rollups ADD COLUMN nall INTEGER;
UPDATE totals SET n30 = models, nall = models;
UPDATE rollups SET n30 = models, nall = models;

-- Hub refreshes seen: the poll at `t` found downloadsAllTime changed for `changed` of the `relisted` models it
-- listed again since the previous poll at `t_lo`. `instant` is when the refresh happened: t when the
-- bracket was narrow, else estimated from the daily phase of narrow ones (NULL: unknown, not an endpoint).
CREATE TABLE refreshes (
    t        INTEGER PRIMARY KEY,
    t_lo     INTEGER,
    changed  INTEGER NOT NULL,
    relisted INTEGER NOT NULL,
    precise  INTEGER NOT NULL,
    instant  INTEGER
);
CREATE INDEX refreshes_instant ON refreshes (instant);

-- Growth of downloadsAllTime per family x scope, spread uniformly over [a, b] (two refresh instants),
-- written by the poll at `credited_t` that saw the later value.
CREATE TABLE spans (
    scope      TEXT NOT NULL,
    family     TEXT NOT NULL,
    a          INTEGER NOT NULL,
    b          INTEGER NOT NULL,
    credited_t INTEGER NOT NULL,
    growth     INTEGER NOT NULL,
    PRIMARY KEY (scope, family, b, a, credited_t)
) WITHOUT ROWID;
"""

# v3: indexes for the family screen. A model's endpoints are a few of its observations: the partial index holds
# only those, so the rates and sparklines of a family's models are a seek and a short range per model
# instead of a walk back through each model's whole history to the last endpoint before the window.
SCHEMA_V3 = """
CREATE INDEX observations_endpoints ON observations (mid, t, asof, dall) WHERE asof IS NOT NULL;
-- Where a family's coverage starts (its first span's start, among those credited by a time): one seek.
CREATE INDEX spans_start ON spans (scope, family, a, credited_t);
-- A family's newest models without sorting all of them.
CREATE INDEX models_family_created ON models (family, created_at);
"""

# v4: the deep lane's walks (DESIGN §5): progress kept in the file, so a stopped walk resumes at its cursor.
SCHEMA_V4 = """
-- One row per walk of the listing sorted by downloads. A walk in progress has `finished` NULL. Each page is
-- stored with the walk's new cursor and counts in one transaction, so the counts are always those of the
-- pages whose models are stored.
CREATE TABLE deep_walks (
    wid       INTEGER PRIMARY KEY,
    floor     INTEGER NOT NULL,  -- 30-day downloads the walk goes down to
    started   REAL NOT NULL,
    updated   REAL NOT NULL,
    finished  REAL,
    cursor    TEXT,              -- the Hub's cursor of the next page (NULL before the first page)
    pages     INTEGER NOT NULL DEFAULT 0,
    requests  INTEGER NOT NULL DEFAULT 0,
    listed    INTEGER NOT NULL DEFAULT 0,  -- records stored, whatever their downloads
    walked    INTEGER NOT NULL DEFAULT 0,  -- distinct models at or above the floor
    downloads INTEGER NOT NULL DEFAULT 0,  -- their 30-day downloads
    tracked   INTEGER NOT NULL DEFAULT 0,  -- the part of those attributed to a tracked family
    lowest    INTEGER                      -- the lowest 30-day downloads the walk has read
);
-- The models the walk in progress has counted: a live cursor may list one twice, it counts once.
CREATE TABLE deep_seen (
    id TEXT PRIMARY KEY
) WITHOUT ROWID;
"""

# v5: reads whose cost does not grow with the model count or the history (DESIGN §11).
HISTORY_GENERATION_KEY = "history.generation"
SCHEMA_V5 = f"""
-- A family's model list as the family screen shows it (by 30-day downloads, first-party filter, id as the
-- row key) read from the index alone: the rest of a row is read only for the rows on screen.
DROP INDEX models_family;
CREATE INDEX models_family_list ON models (family, d30 DESC, via, id);

-- Rollups older than the latest hour never change in normal use (a poll writes its own hour): a reader may
-- keep them in memory. Anything that changes or removes one of them (maintenance thinning, a poll into an
-- older hour) moves this generation on, and a reader drops what it kept.
INSERT OR REPLACE INTO meta (key, value) VALUES ('{HISTORY_GENERATION_KEY}', '0');
CREATE TRIGGER rollups_history_delete AFTER DELETE ON rollups BEGIN
    UPDATE meta SET value = value + 1 WHERE key = '{HISTORY_GENERATION_KEY}';
END;
CREATE TRIGGER rollups_history_update AFTER UPDATE ON rollups
WHEN OLD.h < (SELECT max(h) FROM rollups WHERE scope = OLD.scope) OR NEW.h != OLD.h OR NEW.scope != OLD.scope BEGIN
    UPDATE meta SET value = value + 1 WHERE key = '{HISTORY_GENERATION_KEY}';
END;
CREATE TRIGGER rollups_history_insert AFTER INSERT ON rollups
WHEN NEW.h < (SELECT max(h) FROM rollups WHERE scope = NEW.scope) BEGIN
    UPDATE meta SET value = value + 1 WHERE key = '{HISTORY_GENERATION_KEY}';
END;
"""

# v6: the deep walk's counted models by row number. Marked by name, each page's thousand marks fell all over a
# million-row index of names and every page's commit rewrote most of it; by `mid` they are appended, since a
# walk lists the models in the order the first walk stored them. A walk in progress keeps what it counted.
SCHEMA_V6 = """
CREATE TABLE deep_seen_mid (
    mid INTEGER PRIMARY KEY
);
INSERT INTO deep_seen_mid (mid) SELECT m.mid FROM deep_seen d JOIN models m ON m.id = d.id;
DROP TABLE deep_seen;
ALTER TABLE deep_seen_mid RENAME TO deep_seen;
"""

# v7: which models the fast and slow lanes follow (hfwatch.store.followed): a tracked model that only the deep lane
# lists writes one observation a week, like an untracked one. A file from before does not know which lane listed
# what: its tracked models count as followed from their last sighting, so each writes every change for a week
# after the upgrade, until the lanes' own listings have marked the ones they follow.
#
# Also: the models table's reads by family or first-party org never ask for unattributed rows, and the deep lane makes
# those most of the table: its indexes by family (with d30 or creation) and by first-party org hold attributed rows
# only. An untracked repo then costs three index entries less, and its daily d30 change moves no index entry. The
# index by creation stays whole: the newest creation time of any model (gap-filling) is one seek in it.
SCHEMA_V7 = """
ALTER TABLE models ADD COLUMN followed INTEGER;
UPDATE models SET followed = last_seen WHERE family IS NOT NULL;
DROP INDEX models_family_list;
CREATE INDEX models_family_list ON models (family, d30 DESC, via, id) WHERE family IS NOT NULL;
DROP INDEX models_newest;
CREATE INDEX models_newest ON models (via, family, created_at) WHERE via IS NOT NULL;
DROP INDEX models_family_created;
CREATE INDEX models_family_created ON models (family, created_at) WHERE family IS NOT NULL;
"""

# v8: the family list's index also holds each model's pipeline and library, so a filter of the family screen
# (id, via, pipeline or library) searches a whole family in the index alone. Read from the table, a search of
# 10k models took 28-36 ms, ~2 µs a row lookup, and a 100k-model family would take a third of a second a key.
# The index keeps its order: every query that used it uses it as before.
SCHEMA_V8 = """
DROP INDEX models_family_list;
CREATE INDEX models_family_list ON models (family, d30 DESC, via, id, pipeline, library) WHERE family IS NOT NULL;
"""

MIGRATIONS: dict[int, str] = {
    1: SCHEMA_V2,
    2: SCHEMA_V3,
    3: SCHEMA_V4,
    4: SCHEMA_V5,
    5: SCHEMA_V6,
    6: SCHEMA_V7,
    7: SCHEMA_V8,
}
