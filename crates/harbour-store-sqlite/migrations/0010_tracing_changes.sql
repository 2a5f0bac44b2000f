-- Added after 0006_tracing.sql had been merged (migrations are never edited): the change feed
-- of the family-tracing index. Numbered 0061 ("0006, part 1") to stay clear of versions
-- assigned to other work; renumber to the next free version when merging if preferred.
-- A change feed for the in-memory tracing index of every app server: which case or request
-- changed (ids only), in order. Each server replays what it has not seen before answering.
CREATE TABLE tracing_changes (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    kind    TEXT NOT NULL,
    id      TEXT NOT NULL,
    at      INTEGER NOT NULL
);
