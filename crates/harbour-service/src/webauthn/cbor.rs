//! The subset of CBOR (RFC 8949) that WebAuthn uses, decoded from a slice. Own code rather than a
//! serde decoder because a COSE key inside authenticator data is followed by more bytes, and the
//! parser must say exactly how many the key took; CTAP2 also forbids indefinite lengths and tags.
//! Limits: nesting depth 8; lengths are checked against the bytes left before anything is
//! allocated, so hostile lengths cannot exhaust memory.

#[derive(Debug, Clone, PartialEq)]
pub enum Cbor<'a> {
    Uint(u64),
    /// A negative integer `-1 - n`.
    Nint(u64),
    Bytes(&'a [u8]),
    Text(&'a str),
    Array(Vec<Cbor<'a>>),
    Map(Vec<(Cbor<'a>, Cbor<'a>)>),
    Bool(bool),
    Null,
    /// Undefined, other simple values and floats (skipped, never used).
    Other,
}

impl Cbor<'_> {
    /// The value as an `i64`, if it is an integer that fits.
    pub fn as_int(&self) -> Option<i64> {
        match *self {
            Cbor::Uint(n) => i64::try_from(n).ok(),
            Cbor::Nint(n) => i64::try_from(n).ok().map(|n| -1 - n),
            _ => None,
        }
    }
}

const MAX_DEPTH: usize = 8;

/// Decode one item from the start of `input`; returns it and the number of bytes it took.
pub fn decode(input: &[u8]) -> Result<(Cbor<'_>, usize), &'static str> {
    let mut pos = 0;
    let v = item(input, &mut pos, 0)?;
    Ok((v, pos))
}

fn take<'a>(input: &'a [u8], pos: &mut usize, n: usize) -> Result<&'a [u8], &'static str> {
    let end = pos.checked_add(n).ok_or("length overflows")?;
    let s = input.get(*pos..end).ok_or("cut short")?;
    *pos = end;
    Ok(s)
}

fn argument(input: &[u8], pos: &mut usize, info: u8) -> Result<u64, &'static str> {
    Ok(match info {
        0..=23 => u64::from(info),
        24 => u64::from(take(input, pos, 1)?[0]),
        25 => {
            let b = take(input, pos, 2)?;
            u64::from(u16::from_be_bytes([b[0], b[1]]))
        }
        26 => {
            let b = take(input, pos, 4)?;
            u64::from(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
        }
        27 => {
            let b = take(input, pos, 8)?;
            let mut a = [0u8; 8];
            a.copy_from_slice(b);
            u64::from_be_bytes(a)
        }
        31 => return Err("indefinite lengths are not allowed"),
        _ => return Err("reserved additional information"),
    })
}

fn length(input: &[u8], pos: usize, n: u64, min_item: usize) -> Result<usize, &'static str> {
    let n = usize::try_from(n).map_err(|_| "length too large")?;
    // Every element takes at least `min_item` bytes: refuse counts the input cannot hold.
    if n.saturating_mul(min_item) > input.len().saturating_sub(pos) {
        return Err("cut short");
    }
    Ok(n)
}

fn item<'a>(input: &'a [u8], pos: &mut usize, depth: usize) -> Result<Cbor<'a>, &'static str> {
    if depth > MAX_DEPTH {
        return Err("nested too deeply");
    }
    let initial = take(input, pos, 1)?[0];
    let (major, info) = (initial >> 5, initial & 0x1f);
    if major == 7 {
        return match info {
            20 => Ok(Cbor::Bool(false)),
            21 => Ok(Cbor::Bool(true)),
            22 => Ok(Cbor::Null),
            0..=19 | 23 => Ok(Cbor::Other),
            24 => take(input, pos, 1).map(|_| Cbor::Other),
            25 => take(input, pos, 2).map(|_| Cbor::Other),
            26 => take(input, pos, 4).map(|_| Cbor::Other),
            27 => take(input, pos, 8).map(|_| Cbor::Other),
            _ => Err("reserved simple value or break"),
        };
    }
    let arg = argument(input, pos, info)?;
    match major {
        0 => Ok(Cbor::Uint(arg)),
        1 => Ok(Cbor::Nint(arg)),
        2 => {
            let n = length(input, *pos, arg, 1)?;
            Ok(Cbor::Bytes(take(input, pos, n)?))
        }
        3 => {
            let n = length(input, *pos, arg, 1)?;
            let b = take(input, pos, n)?;
            std::str::from_utf8(b)
                .map(Cbor::Text)
                .map_err(|_| "text is not UTF-8")
        }
        4 => {
            let n = length(input, *pos, arg, 1)?;
            let mut v = Vec::with_capacity(n);
            for _ in 0..n {
                v.push(item(input, pos, depth + 1)?);
            }
            Ok(Cbor::Array(v))
        }
        5 => {
            let n = length(input, *pos, arg, 2)?;
            let mut v = Vec::with_capacity(n);
            for _ in 0..n {
                let k = item(input, pos, depth + 1)?;
                let val = item(input, pos, depth + 1)?;
                v.push((k, val));
            }
            Ok(Cbor::Map(v))
        }
        _ => Err("tags are not allowed"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_rfc8949_examples() {
        assert_eq!(decode(&[0x00]).unwrap(), (Cbor::Uint(0), 1));
        assert_eq!(decode(&[0x38, 0x63]).unwrap(), (Cbor::Nint(99), 2));
        assert_eq!(decode(&[0x20]).unwrap().0.as_int(), Some(-1));
        assert_eq!(decode(&[0x19, 0x03, 0xe8]).unwrap().0.as_int(), Some(1000));
        assert_eq!(
            decode(&[0x62, b'h', b'i', 0xff]).unwrap(),
            (Cbor::Text("hi"), 3)
        );
        assert_eq!(
            decode(&[0xa1, 0x01, 0x42, 1, 2]).unwrap().0,
            Cbor::Map(vec![(Cbor::Uint(1), Cbor::Bytes(&[1, 2]))])
        );
    }

    #[test]
    fn refuses_what_ctap2_forbids_and_hostile_lengths() {
        assert_eq!(decode(&[0x5f]), Err("indefinite lengths are not allowed"));
        assert_eq!(decode(&[0xc0, 0x00]), Err("tags are not allowed"));
        assert_eq!(
            decode(&[0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]).map(|_| ()),
            Err("cut short")
        );
        assert_eq!(
            decode(&[0x9a, 0xff, 0xff, 0xff, 0xff]).map(|_| ()),
            Err("cut short")
        );
        assert_eq!(decode(&[0x81; 40]).map(|_| ()), Err("nested too deeply"));
        assert_eq!(decode(&[]).map(|_| ()), Err("cut short"));
    }
}
