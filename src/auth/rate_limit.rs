//! Attempt budgets ("at most N in a window") over the database counters in `db::rate_limits`, and
//! the address a budget is kept for (an IPv6 client counts per /64: one subscriber usually holds a
//! whole /64, and counting single addresses would give them 2^64 budgets).
use std::net::IpAddr;
use std::time::Duration;

use crate::db::{self, Db, DbError};
use crate::error::AppError;

/// One budget: `limit` hits per `window` in `bucket` (e.g. `login-fail:ip:203.0.113.9`).
pub struct Budget<'a> {
    pub bucket: &'a str,
    pub limit: u32,
    pub window: Duration,
}

/// Fails with `RateLimited` (and when to retry) if the budget is spent.
pub async fn check(db: &Db, budget: &Budget<'_>) -> Result<(), AppError> {
    let now = db::now();
    let window = budget.window.as_secs() as i64;
    let (count, oldest) = db::rate_limits::hits_since(db, budget.bucket, now - window).await?;
    if count >= i64::from(budget.limit) {
        let retry_after = oldest.map_or(window, |t| (t + window - now).max(1));
        return Err(AppError::RateLimited {
            retry_after_secs: retry_after as u64,
        });
    }
    Ok(())
}

pub async fn record(db: &Db, bucket: &str) -> Result<(), DbError> {
    db::rate_limits::record(db, bucket, db::now()).await
}

/// Checks and, if allowed, counts one hit.
pub async fn hit(db: &Db, budget: &Budget<'_>) -> Result<(), AppError> {
    check(db, budget).await?;
    record(db, budget.bucket).await?;
    Ok(())
}

/// Counts one attempt *before* the work it guards, then refuses it if it is past the budget. The
/// count and the check are one database statement, so a burst of parallel requests lets exactly
/// `limit` through. A success can be given back with [`give_back`].
pub async fn take(db: &Db, budget: &Budget<'_>) -> Result<(), AppError> {
    let now = db::now();
    let window = budget.window.as_secs() as i64;
    let (hits, started) =
        db::rate_limits::count_attempt(db, budget.bucket, now, now - window).await?;
    if hits > i64::from(budget.limit) {
        return Err(AppError::RateLimited {
            retry_after_secs: (started + window - now).max(1) as u64,
        });
    }
    Ok(())
}

/// Undoes one [`take`] (the attempt succeeded and should not count against the budget).
pub async fn give_back(db: &Db, bucket: &str) -> Result<(), DbError> {
    db::rate_limits::uncount_attempt(db, bucket).await
}

/// Forgets a bucket's attempts (a successful log-in clears its account's count).
pub async fn forget(db: &Db, bucket: &str) -> Result<(), DbError> {
    db::rate_limits::clear_attempts(db, bucket).await
}

/// The key a client's address is counted under: IPv4 as it is, an IPv4-mapped IPv6 address as its
/// IPv4 address, any other IPv6 address as its /64. Text that is not an address is kept as it is.
pub fn address_key(client_ip: &str) -> String {
    match client_ip.parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                let prefix = std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
                format!("{prefix}/64")
            }
        },
        Err(_) => client_ip.to_string(),
    }
}

/// The network a client is attributed to for telling related accounts apart ([`address_key`]),
/// or `None` when the address says nothing about the client: loopback or unspecified (a local proxy
/// the operator did not list in `AGORA_TRUSTED_PROXIES`, or the test set-up), or not an address.
pub fn attributable_network(client_ip: &str) -> Option<String> {
    let ip: IpAddr = client_ip.parse().ok()?;
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    };
    (!ip.is_loopback() && !ip.is_unspecified()).then(|| address_key(client_ip))
}

#[cfg(test)]
mod tests {
    use super::{address_key, attributable_network};

    #[test]
    fn loopback_is_no_network_of_its_own() {
        assert_eq!(attributable_network("127.0.0.1"), None);
        assert_eq!(attributable_network("::1"), None);
        assert_eq!(attributable_network("::ffff:127.0.0.1"), None);
        assert_eq!(attributable_network("not an address"), None);
        assert_eq!(
            attributable_network("203.0.113.9").as_deref(),
            Some("203.0.113.9")
        );
        assert_eq!(
            attributable_network("2001:db8:1:2::7").as_deref(),
            Some("2001:db8:1:2::/64")
        );
    }

    #[test]
    fn ipv6_clients_are_counted_per_64() {
        assert_eq!(address_key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(address_key("2001:db8:1:2:ffff:1:2:3"), "2001:db8:1:2::/64");
        assert_ne!(address_key("2001:db8:1:3::1"), "2001:db8:1:2::/64");
        assert_eq!(address_key("::ffff:203.0.113.9"), "203.0.113.9");
        assert_eq!(address_key("203.0.113.9"), "203.0.113.9");
        assert_eq!(address_key("unknown"), "unknown");
    }
}
