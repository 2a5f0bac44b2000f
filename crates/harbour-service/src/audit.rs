//! `harbour audit verify`: walk every case journal and check its hash chain. Needs no keys, so
//! it also verifies cases whose content has been erased.

use harbour_domain::CaseId;
use harbour_store::{verify_chain, CaseRecord, ChainBreak, Store, StoreError};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub cases: u64,
    pub events: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("case {case}: {brk}")]
    Broken { case: CaseId, brk: ChainBreak },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Check every journal; stop at the first broken one and name the case and event.
pub async fn verify_journals(store: &dyn Store) -> Result<VerifyReport, VerifyError> {
    let mut report = VerifyReport::default();
    each_journal::<VerifyError>(store, |id, record| {
        verify_chain(&record.events).map_err(|brk| VerifyError::Broken { case: id, brk })?;
        // The chain alone cannot see its last events cut off; the projection remembers how
        // many there were.
        let expected = record.header.projection.seq;
        if record.events.len() as u64 != expected {
            let seq = record.events.len() as u64 + 1;
            let reason = format!(
                "the case records {expected} events but its journal holds {} (events were deleted)",
                record.events.len()
            );
            return Err(VerifyError::Broken {
                case: id,
                brk: ChainBreak { seq, reason },
            });
        }
        report.cases += 1;
        report.events += record.events.len() as u64;
        Ok(())
    })
    .await?;
    Ok(report)
}

/// Every case's record, one case loaded at a time and ids a page at a time, so memory stays flat
/// however many journals there are.
async fn each_journal<E: From<StoreError>>(
    store: &dyn Store,
    mut f: impl FnMut(CaseId, CaseRecord) -> Result<(), E>,
) -> Result<(), E> {
    let mut after = None;
    loop {
        let ids = store.case_ids(after, 500).await?;
        let Some(last) = ids.last().copied() else {
            return Ok(());
        };
        for id in ids {
            let record = store
                .load_case(id)
                .await?
                .ok_or_else(|| StoreError::Missing(format!("case {id}")))?;
            f(id, record)?;
        }
        after = Some(last);
    }
}

/// What the access-log check found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct AccessLogReport {
    pub records: u64,
    /// The hash of the last record (the genesis value for an empty log).
    pub head: [u8; 32],
}

/// The access log's head written down outside the database (`harbour audit anchor`): record
/// `seq` had hash `hash`. Someone who can write the database can rewrite the whole chain
/// consistently; they cannot change the copies of this line kept elsewhere.
///
/// Two line formats: the first one (`access-log SEQ HASH`, `journals` is `None`), which lines
/// operators already keep still use and which still verify the access log; and version 2
/// (`anchor-v2 access-log SEQ HASH journals UNTIL CASES DIGEST`), which also commits to every
/// case journal as it stood at `UNTIL` (see [`JournalsAnchor`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Anchor {
    pub seq: u64,
    pub hash: [u8; 32],
    pub journals: Option<JournalsAnchor>,
}

/// Every case journal as it stood at `until` (microseconds since the epoch): `cases` journals had
/// an event at or before then, and `digest` is SHA-256 over each one's (case id, seq and hash of
/// its last event at or before `until`), in case creation order. Events appended later are not
/// covered, so the journals may grow after anchoring; editing, re-chaining or deleting an event
/// at or before `until`, or deleting a case, changes the digest. It needs no keys: erased cases
/// keep their sealed journal and still count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JournalsAnchor {
    pub until: i64,
    pub cases: u64,
    pub digest: [u8; 32],
}

/// Why an anchor line was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an anchor (expected `anchor-v2 access-log SEQ HASH journals UNTIL CASES DIGEST` or the older `access-log SEQ HASH`, hashes as 64 hex digits, as `harbour audit anchor` prints): {0}")]
pub struct AnchorParseError(&'static str);

fn write_hex(f: &mut std::fmt::Formatter<'_>, bytes: &[u8; 32]) -> std::fmt::Result {
    bytes.iter().try_for_each(|b| write!(f, "{b:02x}"))
}

fn parse_hash(hex: Option<&str>, what: &'static str) -> Result<[u8; 32], AnchorParseError> {
    let hex = hex.ok_or(AnchorParseError(what))?;
    if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AnchorParseError("a hash is not 64 hex digits"));
    }
    let mut hash = [0u8; 32];
    for (i, byte) in hash.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16)
            .map_err(|_| AnchorParseError("a hash is not 64 hex digits"))?;
    }
    Ok(hash)
}

impl std::fmt::Display for Anchor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.journals.is_some() {
            write!(f, "anchor-v2 ")?;
        }
        write!(f, "access-log {} ", self.seq)?;
        write_hex(f, &self.hash)?;
        if let Some(j) = &self.journals {
            write!(f, " journals {} {} ", j.until, j.cases)?;
            write_hex(f, &j.digest)?;
        }
        Ok(())
    }
}

impl std::str::FromStr for Anchor {
    type Err = AnchorParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.split_whitespace().peekable();
        let v2 = parts.peek() == Some(&"anchor-v2");
        if v2 {
            parts.next();
        }
        if parts.next() != Some("access-log") {
            return Err(AnchorParseError(
                "it does not start with `anchor-v2 access-log` or `access-log`",
            ));
        }
        let seq = parts
            .next()
            .and_then(|n| n.parse::<u64>().ok())
            .ok_or(AnchorParseError(
                "the record number is missing or not a number",
            ))?;
        let hash = parse_hash(parts.next(), "the hash is missing")?;
        let journals = if v2 {
            if parts.next() != Some("journals") {
                return Err(AnchorParseError(
                    "the `journals` part is missing after the access log's hash",
                ));
            }
            let until =
                parts
                    .next()
                    .and_then(|n| n.parse::<i64>().ok())
                    .ok_or(AnchorParseError(
                        "the journals' time is missing or not a number",
                    ))?;
            let cases =
                parts
                    .next()
                    .and_then(|n| n.parse::<u64>().ok())
                    .ok_or(AnchorParseError(
                        "the number of journals is missing or not a number",
                    ))?;
            let digest = parse_hash(parts.next(), "the journals' digest is missing")?;
            Some(JournalsAnchor {
                until,
                cases,
                digest,
            })
        } else {
            None
        };
        if parts.next().is_some() {
            return Err(AnchorParseError("there is text after the last hash"));
        }
        Ok(Anchor {
            seq,
            hash,
            journals,
        })
    }
}

/// Why the journals do not match an anchor.
#[derive(Debug, thiserror::Error)]
pub enum JournalsAnchorError {
    #[error("case journals do not match the anchor of {until}: {reason}")]
    Mismatch { until: i64, reason: String },
    /// The heads file (`--journal-heads`) could not be written or read, or is not this anchor's.
    #[error("journal heads file: {0}")]
    HeadsFile(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One case's journal head as anchored: a line `CASE SEQ HASH` of the heads file that
/// `audit anchor --journal-heads FILE` writes next to the line. Case ids and hashes only, no
/// content. The file hashes to the line's digest, so it cannot be swapped for another; it is
/// what lets `audit verify` name the case whose journal changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JournalHead {
    pub case: CaseId,
    pub seq: u64,
    pub hash: [u8; 32],
}

impl std::fmt::Display for JournalHead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} ", self.case, self.seq)?;
        write_hex(f, &self.hash)
    }
}

impl std::str::FromStr for JournalHead {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.split_whitespace();
        let case = parts
            .next()
            .and_then(|c| uuid::Uuid::parse_str(c).ok())
            .map(CaseId)
            .ok_or("expected `CASE SEQ HASH`; the case id is missing or not one")?;
        let seq = parts
            .next()
            .and_then(|n| n.parse::<u64>().ok())
            .ok_or("expected `CASE SEQ HASH`; the event number is missing or not a number")?;
        let hash = parse_hash(parts.next(), "the hash is missing").map_err(|e| e.0.to_string())?;
        if parts.next().is_some() {
            return Err("there is text after the hash".into());
        }
        Ok(JournalHead { case, seq, hash })
    }
}

/// The journal's head as of `until`: its last event at or before then. Events are in seq order
/// and appended with the clock moving on, so the later ones are those appended after.
fn head_at(events: &[harbour_store::StoredEvent], until: i64) -> Option<JournalHead> {
    events
        .iter()
        .take_while(|e| harbour_store::to_micros(e.at) <= until)
        .last()
        .map(|e| JournalHead {
            case: e.case_id,
            seq: e.seq,
            hash: e.hash,
        })
}

/// The digest as the anchor defines it, fed one head at a time.
struct HeadsDigest {
    h: Sha256,
    cases: u64,
}

impl HeadsDigest {
    fn new(until: i64) -> HeadsDigest {
        let mut h = Sha256::new();
        h.update(b"harbour-journals-anchor-v1\0");
        h.update(until.to_be_bytes());
        HeadsDigest { h, cases: 0 }
    }
    fn add(&mut self, head: &JournalHead) {
        self.h.update(head.case.0.as_bytes());
        self.h.update(head.seq.to_be_bytes());
        self.h.update(head.hash);
        self.cases += 1;
    }
    fn finish(self, until: i64) -> JournalsAnchor {
        JournalsAnchor {
            until,
            cases: self.cases,
            digest: self.h.finalize().into(),
        }
    }
}

/// The journals' commitment as of `until`, writing each head to `heads` if given. One case is
/// loaded at a time and case ids come a page at a time, so memory stays flat however many
/// journals there are; the cost is one read of every journal, as `audit verify` already does.
pub async fn journals_anchor(
    store: &dyn Store,
    until: OffsetDateTime,
    mut heads: Option<&mut (dyn std::io::Write + Send)>,
) -> Result<JournalsAnchor, JournalsAnchorError> {
    let until = harbour_store::to_micros(until);
    let mut digest = HeadsDigest::new(until);
    each_journal::<JournalsAnchorError>(store, |_, record| {
        if let Some(head) = head_at(&record.events, until) {
            digest.add(&head);
            if let Some(w) = heads.as_mut() {
                writeln!(w, "{head}").map_err(|e| JournalsAnchorError::HeadsFile(e.to_string()))?;
            }
        }
        Ok(())
    })
    .await?;
    if let Some(w) = heads.as_mut() {
        w.flush()
            .map_err(|e| JournalsAnchorError::HeadsFile(e.to_string()))?;
    }
    Ok(digest.finish(until))
}

/// Recompute the journals' commitment at the anchor's time and compare. On a mismatch, a heads
/// file written with the anchor (`heads`) names the first case whose journal differs.
pub async fn verify_journals_anchored(
    store: &dyn Store,
    anchor: &JournalsAnchor,
    heads: Option<&mut (dyn std::io::BufRead + Send)>,
) -> Result<(), JournalsAnchorError> {
    let mismatch = |reason: String| JournalsAnchorError::Mismatch {
        until: anchor.until,
        reason,
    };
    let until = OffsetDateTime::from_unix_timestamp_nanos(i128::from(anchor.until) * 1000)
        .map_err(|_| mismatch("the anchor's time is out of range".into()))?;
    let now = journals_anchor(store, until, None).await?;
    if now == *anchor {
        return Ok(());
    }
    if let Some(heads) = heads {
        if let Some(case) = changed_journal(store, anchor, heads).await? {
            return Err(mismatch(case));
        }
    }
    if now.cases != anchor.cases {
        return Err(mismatch(format!(
            "{} journals were anchored but {} have events from then (a case or its events were deleted, or a case was added with an earlier date)",
            anchor.cases, now.cases
        )));
    }
    Err(mismatch(
        "an event at or before the anchor was edited, re-chained or deleted (give the anchor's --journal-heads file to name the case)".into(),
    ))
}

/// Walk the heads file (one line at a time) against the journals: the first anchored case whose
/// head is no longer the same, provided the file is this anchor's own (its digest matches).
async fn changed_journal(
    store: &dyn Store,
    anchor: &JournalsAnchor,
    heads: &mut (dyn std::io::BufRead + Send),
) -> Result<Option<String>, JournalsAnchorError> {
    let mut digest = HeadsDigest::new(anchor.until);
    let mut first = None;
    for (n, line) in std::io::BufRead::lines(heads).enumerate() {
        let line = line.map_err(|e| JournalsAnchorError::HeadsFile(e.to_string()))?;
        let head: JournalHead = line
            .parse()
            .map_err(|e| JournalsAnchorError::HeadsFile(format!("line {}: {e}", n + 1)))?;
        digest.add(&head);
        if first.is_none() {
            let now = store
                .load_case(head.case)
                .await?
                .and_then(|r| head_at(&r.events, anchor.until));
            first = match now {
                None => Some(format!(
                    "case {}: its journal is gone (it had {} events)",
                    head.case, head.seq
                )),
                Some(now) if now.seq != head.seq => Some(format!(
                    "case {}: it had {} events at the anchor and now has {} from then (events were deleted)",
                    head.case, head.seq, now.seq
                )),
                Some(now) if now.hash != head.hash => Some(format!(
                    "case {}: its event {} no longer has the anchored hash (an event up to it was edited and the journal re-chained)",
                    head.case, head.seq
                )),
                Some(_) => None,
            };
        }
    }
    if digest.finish(anchor.until) != *anchor {
        return Err(JournalsAnchorError::HeadsFile(
            "it is not the file written with this anchor (its digest differs)".into(),
        ));
    }
    Ok(first)
}

#[derive(Debug, thiserror::Error)]
pub enum AccessLogError {
    #[error(transparent)]
    Broken(#[from] harbour_store::AccessChainBreak),
    #[error("access log does not match the anchor for record {seq}: {reason}")]
    AnchorMismatch { seq: u64, reason: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Walk the global access-log chain from its first record; stop at the first break. The head
/// row remembers the last number handed out, so cutting records off the end is caught too.
pub async fn verify_access_log(store: &dyn Store) -> Result<AccessLogReport, AccessLogError> {
    verify_access_log_anchored(store, &[]).await
}

/// [`verify_access_log`], and each anchor's record must still have the anchored hash: a chain
/// rewritten consistently from an edited record onwards passes the walk but not its anchors.
pub async fn verify_access_log_anchored(
    store: &dyn Store,
    anchors: &[Anchor],
) -> Result<AccessLogReport, AccessLogError> {
    let mut pending: std::collections::BTreeMap<u64, [u8; 32]> =
        anchors.iter().map(|a| (a.seq, a.hash)).collect();
    // Two different hashes for one record cannot both hold.
    for a in anchors {
        if pending.get(&a.seq) != Some(&a.hash) {
            return Err(AccessLogError::AnchorMismatch {
                seq: a.seq,
                reason: "two anchors give this record different hashes".into(),
            });
        }
    }
    let check = |pending: &mut std::collections::BTreeMap<u64, [u8; 32]>,
                 seq: u64,
                 hash: &[u8; 32]|
     -> Result<(), AccessLogError> {
        match pending.remove(&seq) {
            Some(expected) if &expected != hash => Err(AccessLogError::AnchorMismatch {
                seq,
                reason: "its hash is not the anchored one (the log was rewritten from this record or earlier)".into(),
            }),
            _ => Ok(()),
        }
    };
    let (head_seq, head_hash) = store.access_chain_head().await?;
    let (mut seq, mut hash) = (0u64, harbour_store::GENESIS);
    check(&mut pending, seq, &hash)?;
    loop {
        let page = store.access_chain(seq, 1000).await?;
        if page.is_empty() {
            break;
        }
        (seq, hash) = harbour_store::verify_access_chain(seq, hash, &page)?;
        for r in &page {
            check(&mut pending, r.seq, &r.hash)?;
        }
    }
    if let Some((&missing, _)) = pending.iter().next() {
        return Err(AccessLogError::AnchorMismatch {
            seq: missing,
            reason: format!("the log ends at record {seq} (records were deleted)"),
        });
    }
    if seq != head_seq {
        return Err(harbour_store::AccessChainBreak {
            seq: seq + 1,
            reason: format!(
                "the log ends at record {seq} but {head_seq} were written (records were deleted from the end)"
            ),
        }
        .into());
    }
    let outside = store.unchained_access_records().await?;
    if outside > 0 {
        return Err(harbour_store::AccessChainBreak {
            seq: 0,
            reason: format!(
                "{outside} access records are outside the chain (they were added behind Harbour's back)"
            ),
        }
        .into());
    }
    if hash != head_hash {
        return Err(harbour_store::AccessChainBreak {
            seq,
            reason: "the last record is not the one that was written (it was replaced)".into(),
        }
        .into());
    }
    Ok(AccessLogReport {
        records: seq,
        head: hash,
    })
}
