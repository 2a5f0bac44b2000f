//! Which reverse proxies are believed about the client's address. `X-Forwarded-For` is only
//! read when the connection comes from a configured proxy; otherwise anyone could send that
//! header and pick the address the per-address login limit counts against (ASVS 4.1.3, 15.3.4).

use std::net::IpAddr;

/// Addresses or networks (CIDR) of the reverse proxies in front of Harbour. Empty: no proxy is
/// trusted, and the connection's peer is the client.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<(IpAddr, u8)>);

impl TrustedProxies {
    /// A list separated by commas or spaces: `10.0.0.5, 192.168.1.0/24, ::1`.
    pub fn parse(list: &str) -> Result<TrustedProxies, String> {
        let mut nets = Vec::new();
        for item in list
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
        {
            let (addr, bits) = match item.split_once('/') {
                Some((a, b)) => (a, Some(b)),
                None => (item, None),
            };
            let ip: IpAddr = addr
                .parse()
                .map_err(|_| format!("`{item}` is not an IP address or network"))?;
            let max = if ip.is_ipv4() { 32 } else { 128 };
            let bits = match bits {
                None => max,
                Some(b) => b
                    .parse::<u8>()
                    .ok()
                    .filter(|b| *b <= max)
                    .ok_or_else(|| format!("`{item}`: the prefix length must be 0 to {max}"))?,
            };
            nets.push((canonical(ip), bits));
        }
        Ok(TrustedProxies(nets))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|(net, bits)| match (net, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(*bits)).unwrap_or(0);
                u32::from(*n) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(*bits)).unwrap_or(0);
                u128::from(*n) & mask == u128::from(a) & mask
            }
            _ => false,
        })
    }

    /// The client's address: the connection's peer, unless the peer is a trusted proxy; then
    /// the nearest `X-Forwarded-For` hop that is not itself a trusted proxy (hops further left
    /// were written by whoever sent the request, so they are not believed).
    pub fn client_address<'a>(
        &self,
        peer: Option<IpAddr>,
        forwarded_for: impl DoubleEndedIterator<Item = &'a str>,
    ) -> String {
        let Some(peer) = peer else {
            // Without the connection's address (a server started without connect info), every
            // request shares one address rather than believing a header.
            return "unknown".into();
        };
        if !self.contains(peer) {
            return canonical(peer).to_string();
        }
        for hop in forwarded_for
            .flat_map(|v| v.split(',').map(str::trim).collect::<Vec<_>>().into_iter())
            .rev()
            .filter(|h| !h.is_empty())
        {
            match hop.parse::<IpAddr>() {
                Ok(ip) if self.contains(ip) => continue,
                Ok(ip) => return canonical(ip).to_string(),
                // A proxy we trust wrote something that is not an address: count it as given.
                Err(_) => return hop.to_string(),
            }
        }
        canonical(peer).to_string()
    }
}

/// IPv4 addresses written as IPv6 (`::ffff:a.b.c.d`, as a dual-stack listener reports them)
/// compare as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn networks_match_by_prefix_and_mapped_addresses_as_ipv4() {
        let t = TrustedProxies::parse("10.0.0.0/8, 192.168.1.7 ::1").unwrap();
        assert!(t.contains("10.200.3.4".parse().unwrap()));
        assert!(!t.contains("11.0.0.1".parse().unwrap()));
        assert!(t.contains("192.168.1.7".parse().unwrap()));
        assert!(!t.contains("192.168.1.8".parse().unwrap()));
        assert!(t.contains("::ffff:10.1.1.1".parse().unwrap()));
        assert!(t.contains("::1".parse().unwrap()));
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("proxy.example").is_err());
        assert!(TrustedProxies::parse("").unwrap().is_empty());
    }

    #[test]
    fn forwarded_for_is_believed_only_from_a_trusted_peer() {
        let none = TrustedProxies::default();
        let proxy = TrustedProxies::parse("127.0.0.1, 10.0.0.0/8").unwrap();
        let xff = ["203.0.113.9, 198.51.100.1"];
        assert_eq!(
            none.client_address(ip("127.0.0.1"), xff.iter().copied()),
            "127.0.0.1"
        );
        assert_eq!(
            proxy.client_address(ip("192.0.2.1"), xff.iter().copied()),
            "192.0.2.1"
        );
        assert_eq!(
            proxy.client_address(ip("127.0.0.1"), xff.iter().copied()),
            "198.51.100.1"
        );
        // A chain of trusted proxies is skipped; a client's forged hop further left is not read.
        let chain = ["6.6.6.6", "198.51.100.1, 10.1.2.3"];
        assert_eq!(
            proxy.client_address(ip("127.0.0.1"), chain.iter().copied()),
            "198.51.100.1"
        );
        assert_eq!(
            proxy.client_address(ip("127.0.0.1"), std::iter::empty()),
            "127.0.0.1"
        );
        assert_eq!(proxy.client_address(None, xff.iter().copied()), "unknown");
    }
}
