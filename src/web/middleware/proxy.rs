//! Who the client is behind a reverse proxy. Forwarded headers count only when the connection
//! comes from an address in `AGORA_TRUSTED_PROXIES`; then the client is the rightmost
//! X-Forwarded-For hop that is not itself a trusted proxy. Everything left of that hop was written
//! by the client and is ignored (taking the leftmost hop would let anyone choose their address,
//! and with it their rate limits).
use std::net::IpAddr;

use ipnet::IpNet;

/// Whether `peer` is one of the trusted proxies.
pub fn is_trusted(peer: Option<IpAddr>, trusted: &[IpNet]) -> bool {
    peer.is_some_and(|ip| trusted.iter().any(|net| net.contains(&unmapped(ip))))
}

/// The client address for rate limits and moderation rules. `forwarded_for` holds every
/// X-Forwarded-For header value in order.
pub fn client_ip(peer: Option<IpAddr>, forwarded_for: &[&str], trusted: &[IpNet]) -> String {
    let Some(peer) = peer else {
        return "unknown".into();
    };
    if !is_trusted(Some(peer), trusted) {
        return unmapped(peer).to_string();
    }
    let mut client = unmapped(peer);
    let hops = forwarded_for
        .iter()
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .filter(|hop| !hop.is_empty())
        .collect::<Vec<_>>();
    for hop in hops.iter().rev() {
        // A hop that is not an address ends the walk at the last proxy that reported one.
        let Some(ip) = parse_hop(hop) else { break };
        client = ip;
        if !trusted.iter().any(|net| net.contains(&ip)) {
            break;
        }
    }
    client.to_string()
}

/// `203.0.113.9`, `2001:db8::1`, `[2001:db8::1]:443` or `203.0.113.9:5000`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(unmapped(ip));
    }
    hop.parse::<std::net::SocketAddr>()
        .ok()
        .map(|s| unmapped(s.ip()))
}

fn unmapped(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_cidr_list as parse_trusted;

    fn ip(text: &str) -> Option<IpAddr> {
        text.parse().ok()
    }

    #[test]
    fn without_trusted_proxies_forwarded_headers_are_ignored() {
        assert_eq!(
            client_ip(ip("198.51.100.7"), &["203.0.113.9"], &[]),
            "198.51.100.7"
        );
    }

    #[test]
    fn the_rightmost_untrusted_hop_is_the_client() {
        let trusted = parse_trusted("10.0.0.0/8, 192.168.1.1").expect("valid");
        // The client wrote "1.1.1.1" itself; the proxies appended what they saw.
        let hops = ["1.1.1.1, 203.0.113.9", "10.1.1.1"];
        assert_eq!(client_ip(ip("192.168.1.1"), &hops, &trusted), "203.0.113.9");
        // From an untrusted peer the same headers mean nothing.
        assert_eq!(
            client_ip(ip("198.51.100.7"), &hops, &trusted),
            "198.51.100.7"
        );
        // Only trusted hops: the leftmost of them.
        assert_eq!(
            client_ip(ip("10.0.0.2"), &["10.0.0.5"], &trusted),
            "10.0.0.5"
        );
        // No header from a trusted peer: the peer.
        assert_eq!(client_ip(ip("10.0.0.2"), &[], &trusted), "10.0.0.2");
        // Garbage from the right stops the walk at the proxy that reported it.
        assert_eq!(
            client_ip(ip("10.0.0.2"), &["x, 10.0.0.3"], &trusted),
            "10.0.0.3"
        );
        assert_eq!(
            client_ip(ip("10.0.0.2"), &["[2001:db8::1]:443"], &trusted),
            "2001:db8::1"
        );
    }

    #[test]
    fn bad_proxy_lists_are_refused() {
        assert!(parse_trusted("10.0.0.0/33").is_err());
        assert!(parse_trusted("proxy.local").is_err());
        assert_eq!(parse_trusted("").expect("empty"), Vec::<IpNet>::new());
    }
}
