-- Late rights in case lists, without reading the sealed journal: the due dates of the rights
-- that apply and are not yet met, rewritten with the projection in the same transaction as the
-- case's events. `rights_due_first` (the earliest) lets the "overdue rights" filter use SQL;
-- `rights_due` (comma-joined days, earliest first) lets the list count them against today.
-- Cases not changed since this migration show none until their next change.
ALTER TABLE cases ADD COLUMN rights_due_first TEXT;
ALTER TABLE cases ADD COLUMN rights_due TEXT NOT NULL DEFAULT '';
CREATE INDEX cases_by_rights_due ON cases (rights_due_first) WHERE rights_due_first IS NOT NULL;

-- Transfers between organisations, for the receiving organisation's inbox (ids, status, dates;
-- the purpose and consent stay in the sealed journal).
CREATE TABLE case_transfers (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES cases(id),
    from_org     TEXT NOT NULL REFERENCES organisations(id),
    to_org       TEXT NOT NULL REFERENCES organisations(id),
    status       TEXT NOT NULL,
    offered_at   INTEGER NOT NULL,
    answered_at  INTEGER
);
CREATE INDEX case_transfers_offered ON case_transfers (to_org, offered_at) WHERE status = 'offered';
