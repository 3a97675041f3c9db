//! The request an authorizing proxy sees: a [`Request`] (host, port, path, method, headers,
//! tokens, session, [`Peer`]) with its verified tokens ([`Jwt`]), as the evaluation builds it →
//! the attributes the rules read (`source.*`, `request.*`, claims, query parameters, cookies),
//! as istio/api @1.24.3 `security/v1beta1/authorization_policy.proto` names them (`Source`,
//! `Operation`, `Condition`).

use std::collections::BTreeMap;
use std::net::IpAddr;

use crate::flows::pod::Pod;

/// A JSON Web Token whose signature verifies with its issuer's keys.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Jwt {
    pub issuer: String,
    pub subject: String,
    pub audiences: Vec<String>,
    /// Other claims (`groups`, `azp`, ...), each as a list of strings.
    pub claims: BTreeMap<String, Vec<String>>,
}

impl Jwt {
    pub fn new(issuer: &str, subject: &str, audiences: &[&str]) -> Jwt {
        Jwt {
            issuer: issuer.to_string(),
            subject: subject.to_string(),
            audiences: audiences.iter().map(|a| a.to_string()).collect(),
            claims: BTreeMap::new(),
        }
    }

    pub fn with_claim(mut self, name: &str, values: &[&str]) -> Jwt {
        self.claims.insert(name.to_string(), values.iter().map(|v| v.to_string()).collect());
        self
    }

    /// The claim values a `request.auth.claims[...]` condition reads.
    pub(super) fn claim(&self, path: &[String]) -> Vec<String> {
        match path {
            [name] if name == "iss" => vec![self.issuer.clone()],
            [name] if name == "sub" => vec![self.subject.clone()],
            [name] if name == "aud" => self.audiences.clone(),
            [name] => self.claims.get(name).cloned().unwrap_or_default(),
            _ => Vec::new(),
        }
    }
}

/// The mTLS peer of a request (the workload that opened the connection).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Peer {
    /// `<trust domain>/ns/<ns>/sa/<sa>`, when the peer presents a mesh certificate.
    pub principal: Option<String>,
    pub namespace: Option<String>,
    /// `source.ip`: the direct peer's address.
    pub ip: Option<IpAddr>,
}

impl Peer {
    /// The identity of a mesh workload.
    pub fn workload(pod: &Pod, trust_domain: &str) -> Peer {
        Peer { principal: Some(pod.principal(trust_domain)), namespace: Some(pod.namespace.clone()), ip: None }
    }
}

/// An HTTP request as a proxy sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// `:authority` as the client sent it (`example.com` or `example.com:443`).
    pub host: String,
    /// The port the proxy receives the request on (`destination.port`; a gateway's container
    /// port, not its Service port).
    pub port: u16,
    /// The path, with the query string if any.
    pub path: String,
    pub method: String,
    /// Request headers, names in lower case.
    pub headers: BTreeMap<String, String>,
    /// The well-formed, signed tokens among the strings the request carries; any other string at
    /// a token location is an invalid token.
    pub tokens: BTreeMap<String, Jwt>,
    /// A valid login session (the OAuth proxy's cookie).
    pub session: bool,
    pub peer: Peer,
    /// `remote.ip`: the original client address.
    pub remote_ip: Option<IpAddr>,
    /// A TCP connection (TLS passthrough, opaque TCP): no HTTP attribute exists.
    pub tcp: bool,
    /// The server name of the TLS connection the proxy terminates or passes through
    /// (`connection.sni`), where the model knows it.
    pub sni: Option<String>,
}

impl Request {
    pub fn new(host: &str, port: u16, path: &str) -> Request {
        Request {
            host: host.to_string(),
            port,
            path: path.to_string(),
            method: "GET".to_string(),
            headers: BTreeMap::new(),
            tokens: BTreeMap::new(),
            session: false,
            peer: Peer::default(),
            remote_ip: None,
            tcp: false,
            sni: None,
        }
    }

    /// The connection's TLS server name.
    pub fn sni(mut self, name: &str) -> Request {
        self.sni = Some(name.to_string());
        self
    }

    /// The same connection seen as plain TCP (no HTTP attributes).
    pub fn tcp(mut self) -> Request {
        self.tcp = true;
        self
    }

    pub fn method(mut self, method: &str) -> Request {
        self.method = method.to_string();
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Request {
        self.headers.insert(name.to_ascii_lowercase(), value.to_string());
        self
    }

    /// Sends a valid token as `Authorization: Bearer <token>`.
    pub fn bearer(self, jwt: Jwt) -> Request {
        self.token_in_header("authorization", "Bearer ", jwt)
    }

    /// Sends a valid token in a header, after `prefix`.
    pub fn token_in_header(mut self, name: &str, prefix: &str, jwt: Jwt) -> Request {
        let opaque = format!("jwt-{}-{}", self.tokens.len(), jwt.issuer);
        self.headers.insert(name.to_ascii_lowercase(), format!("{prefix}{opaque}"));
        self.tokens.insert(opaque, jwt);
        self
    }

    /// Sends a token that verifies nowhere, as `Authorization: Bearer <token>`.
    pub fn invalid_bearer(self) -> Request {
        self.header("authorization", "Bearer invalid-token")
    }

    pub fn session(mut self) -> Request {
        self.session = true;
        self
    }

    pub fn peer(mut self, peer: Peer) -> Request {
        self.peer = peer;
        self
    }

    pub(super) fn path_only(&self) -> &str {
        self.path.split_once('?').map_or(self.path.as_str(), |(p, _)| p)
    }

    pub(super) fn query(&self, name: &str) -> Option<&str> {
        let (_, query) = self.path.split_once('?')?;
        query.split('&').find_map(|pair| pair.split_once('=').filter(|(k, _)| *k == name).map(|(_, v)| v))
    }

    pub(super) fn cookie(&self, name: &str) -> Option<&str> {
        self.headers
            .get("cookie")?
            .split(';')
            .find_map(|c| c.trim().split_once('=').filter(|(k, _)| *k == name).map(|(_, v)| v))
    }
}
