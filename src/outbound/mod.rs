//! Every request the forum makes to another server (link checks; later webhooks) goes through
//! [`Outbound`]: the host is resolved and each address checked against [`address::classify`]
//! (public unicast only), redirects are followed by hand, at most [`MAX_REDIRECTS`], each hop
//! checked again, the whole exchange is capped in time and in bytes read, and no cookies, proxy
//! or credentials are ever sent. A member cannot aim the forum at its own network.
pub mod address;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::LOCATION;
use reqwest::Method;
use url::Url;

use address::{classify, AddressClass};

pub const MAX_REDIRECTS: usize = 5;

/// What outgoing requests may do; from `AGORA_OUTBOUND_*` settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutboundPolicy {
    /// Let requests reach loopback addresses (127/8, ::1). Only the test set-up turns this on:
    /// its servers listen on 127.0.0.1. Private and other internal ranges stay refused.
    pub allow_loopback: bool,
    pub connect_timeout: Duration,
    /// The whole exchange, redirects included.
    pub total_timeout: Duration,
    /// Body bytes read from one response before the rest is dropped.
    pub max_body_bytes: usize,
}

impl Default for OutboundPolicy {
    fn default() -> Self {
        OutboundPolicy {
            allow_loopback: false,
            connect_timeout: Duration::from_secs(5),
            total_timeout: Duration::from_secs(10),
            max_body_bytes: 64 * 1024,
        }
    }
}

impl OutboundPolicy {
    /// Checks an address before anything is stored or sent to it: http(s) only, and a host given
    /// as an IP literal (or `localhost`) must be one the policy allows. Other names are checked
    /// address by address when they are resolved for sending.
    pub fn screen(&self, url: &str) -> Result<Url, OutboundError> {
        let url = Url::parse(url.trim()).map_err(|_| OutboundError::BadUrl)?;
        self.check_url(&url)?;
        if let Some(url::Host::Domain(name)) = url.host() {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            if (name == "localhost" || name.ends_with(".localhost")) && !self.allow_loopback {
                return Err(OutboundError::Refused {
                    host: name,
                    class: AddressClass::Loopback,
                });
            }
        }
        Ok(url)
    }

    fn check_url(&self, url: &Url) -> Result<(), OutboundError> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(OutboundError::BadUrl);
        }
        let refused = |ip: IpAddr, host: &str| {
            self.allows(ip).map_err(|class| OutboundError::Refused {
                host: host.to_string(),
                class,
            })
        };
        match url.host() {
            Some(url::Host::Ipv4(ip)) => refused(IpAddr::V4(ip), &ip.to_string()),
            Some(url::Host::Ipv6(ip)) => refused(IpAddr::V6(ip), &ip.to_string()),
            // Names are checked in the resolver, address by address.
            Some(url::Host::Domain(_)) => Ok(()),
            None => Err(OutboundError::BadUrl),
        }
    }

    fn allows(&self, ip: IpAddr) -> Result<(), AddressClass> {
        match classify(ip) {
            AddressClass::Public => Ok(()),
            AddressClass::Loopback if self.allow_loopback => Ok(()),
            class => Err(class),
        }
    }
}

/// Why an outgoing request did not produce a response.
#[derive(Debug, thiserror::Error)]
pub enum OutboundError {
    #[error("not an http or https address")]
    BadUrl,
    #[error("refused: {host} is a {} address", class.as_str())]
    Refused { host: String, class: AddressClass },
    #[error("too many redirects (more than {MAX_REDIRECTS})")]
    TooManyRedirects,
    #[error("timed out")]
    Timeout,
    #[error("could not connect: {0}")]
    Connect(String),
    #[error("request failed: {0}")]
    Failed(String),
}

/// A response that arrived: its status, where it came from after redirects, and the body bytes
/// read (at most the policy's cap).
#[derive(Debug, Clone)]
pub struct Fetched {
    pub status: u16,
    pub url: Url,
    pub body: Vec<u8>,
}

/// The guarded HTTP client. Cheap to clone.
#[derive(Clone)]
pub struct Outbound {
    client: reqwest::Client,
    policy: OutboundPolicy,
}

impl Outbound {
    pub fn new(policy: OutboundPolicy, user_agent: &str) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .connect_timeout(policy.connect_timeout)
            .timeout(policy.total_timeout)
            // Redirects are followed here, one checked hop at a time.
            .redirect(reqwest::redirect::Policy::none())
            // A proxy would resolve the name itself, past the address check.
            .no_proxy()
            .dns_resolver(Arc::new(CheckedResolver { policy }))
            .user_agent(user_agent)
            .build()?;
        Ok(Outbound { client, policy })
    }

    pub fn policy(&self) -> OutboundPolicy {
        self.policy
    }

    /// Sends `method` to `url` and follows redirects (GET after a 303, or after a 301/302 of a
    /// POST, as browsers do; otherwise the same method). Every hop's host is checked before
    /// connecting: an IP literal here, a name in the resolver, which connects only to the
    /// addresses it checked (so a name cannot resolve to a public address for the check and an
    /// internal one for the connection).
    pub async fn fetch(&self, method: Method, url: &str) -> Result<Fetched, OutboundError> {
        let url = Url::parse(url).map_err(|_| OutboundError::BadUrl)?;
        match tokio::time::timeout(self.policy.total_timeout, self.follow(method, url)).await {
            Ok(result) => result,
            Err(_) => Err(OutboundError::Timeout),
        }
    }

    /// Posts `body` with `headers` to `url` once, following no redirect (a webhook target that
    /// redirects is answered as its 3xx status). The host is checked as for [`Outbound::fetch`].
    pub async fn post(
        &self,
        url: &str,
        headers: &[(&'static str, String)],
        body: Vec<u8>,
    ) -> Result<Fetched, OutboundError> {
        let url = self.policy.screen(url)?;
        let mut request = self.client.post(url.clone()).body(body);
        for (name, value) in headers {
            request = request.header(*name, value.as_str());
        }
        let send = async {
            let res = request.send().await.map_err(|e| classify_error(&e))?;
            let status = res.status().as_u16();
            let body = self.read_capped(res).await?;
            Ok(Fetched { status, url, body })
        };
        match tokio::time::timeout(self.policy.total_timeout, send).await {
            Ok(result) => result,
            Err(_) => Err(OutboundError::Timeout),
        }
    }

    async fn follow(&self, mut method: Method, mut url: Url) -> Result<Fetched, OutboundError> {
        for _ in 0..=MAX_REDIRECTS {
            self.check_url(&url)?;
            let res = self
                .client
                .request(method.clone(), url.clone())
                .send()
                .await
                .map_err(|e| classify_error(&e))?;
            let status = res.status();
            if status.is_redirection() {
                if let Some(next) = res
                    .headers()
                    .get(LOCATION)
                    .and_then(|l| l.to_str().ok())
                    .and_then(|l| url.join(l).ok())
                {
                    if status.as_u16() == 303 || (status.as_u16() <= 302 && method == Method::POST)
                    {
                        method = Method::GET;
                    }
                    url = next;
                    continue;
                }
            }
            let body = self.read_capped(res).await?;
            return Ok(Fetched {
                status: status.as_u16(),
                url,
                body,
            });
        }
        Err(OutboundError::TooManyRedirects)
    }

    fn check_url(&self, url: &Url) -> Result<(), OutboundError> {
        self.policy.check_url(url)
    }

    async fn read_capped(&self, mut res: reqwest::Response) -> Result<Vec<u8>, OutboundError> {
        let mut body = Vec::new();
        while body.len() < self.policy.max_body_bytes {
            match res.chunk().await {
                Ok(Some(chunk)) => {
                    let room = self.policy.max_body_bytes - body.len();
                    body.extend_from_slice(&chunk[..chunk.len().min(room)]);
                }
                Ok(None) => break,
                Err(e) => return Err(classify_error(&e)),
            }
        }
        Ok(body)
    }
}

fn classify_error(e: &reqwest::Error) -> OutboundError {
    // The refusal from the resolver travels inside reqwest's error chain.
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(cause) = source {
        if let Some(refused) = cause.downcast_ref::<RefusedName>() {
            return OutboundError::Refused {
                host: refused.host.clone(),
                class: refused.class,
            };
        }
        source = cause.source();
    }
    if e.is_timeout() {
        OutboundError::Timeout
    } else if e.is_connect() {
        OutboundError::Connect(e.to_string())
    } else {
        OutboundError::Failed(e.to_string())
    }
}

/// Resolves names and keeps only the addresses the policy allows; a name with none left is
/// refused, naming the first kind of address it had.
struct CheckedResolver {
    policy: OutboundPolicy,
}

#[derive(Debug, thiserror::Error)]
#[error("refused: {host} resolves to a {} address", class.as_str())]
struct RefusedName {
    host: String,
    class: AddressClass,
}

impl Resolve for CheckedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy;
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let mut first_refusal = None;
            let allowed: Vec<SocketAddr> = found
                .into_iter()
                .filter(|addr| match policy.allows(addr.ip()) {
                    Ok(()) => true,
                    Err(class) => {
                        first_refusal.get_or_insert(class);
                        false
                    }
                })
                .collect();
            if allowed.is_empty() {
                let class = first_refusal.unwrap_or(AddressClass::Unspecified);
                return Err(Box::new(RefusedName { host, class }) as Box<_>);
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_is_refused_unless_the_test_switch_is_on() {
        let strict = OutboundPolicy::default();
        let local: IpAddr = "127.0.0.1".parse().expect("ip");
        assert_eq!(strict.allows(local), Err(AddressClass::Loopback));
        let tests = OutboundPolicy {
            allow_loopback: true,
            ..strict
        };
        assert!(tests.allows(local).is_ok());
        let private: IpAddr = "10.0.0.1".parse().expect("ip");
        assert_eq!(tests.allows(private), Err(AddressClass::Private));
    }

    #[tokio::test]
    async fn names_resolving_to_loopback_are_refused() {
        let outbound = Outbound::new(OutboundPolicy::default(), "agora-test").expect("client");
        let result = outbound.fetch(Method::GET, "http://localhost:9/").await;
        assert!(
            matches!(
                result,
                Err(OutboundError::Refused {
                    class: AddressClass::Loopback,
                    ..
                })
            ),
            "{result:?}"
        );
        let result = outbound
            .fetch(Method::GET, "http://[::ffff:127.0.0.1]:9/")
            .await;
        assert!(
            matches!(result, Err(OutboundError::Refused { .. })),
            "{result:?}"
        );
        let result = outbound.fetch(Method::GET, "file:///etc/passwd").await;
        assert!(matches!(result, Err(OutboundError::BadUrl)), "{result:?}");
    }
}
