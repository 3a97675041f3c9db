//! Names and addresses of mesh federation (`settings.mesh.federation`).

use std::net::IpAddr;

use schemars::json_schema;

use super::rules::{dns1035_label, host_name};

/// The longest peer name: the peer's gateways are Services named `<peer>-ingress` and
/// `<peer>-egress` ([`crate::platform::federation`]), DNS-1035 labels of at most 63 characters.
pub(crate) const PEER_NAME_MAX: usize = 63 - "-ingress".len();

name_type!(
    /// The name of a federated peer mesh: a DNS-1035 label of at most [`PEER_NAME_MAX`]
    /// characters (its gateways' Services are named after it).
    PeerName,
    |v| {
        dns1035_label(v)?;
        if v.len() > PEER_NAME_MAX {
            return Err(format!("it is {} characters long, more than {PEER_NAME_MAX}", v.len()));
        }
        Ok(())
    },
    "a valid peer name",
    "a peer name names the peer's gateways (`<peer>-ingress`, `<peer>-egress`): at most 55 lowercase letters, digits and `-`, starting with a letter and ending with a letter or digit (e.g. `partner-mesh`)"
);

name_type!(
    /// An address of a peer's federation ingress gateway: a DNS host name or an IP address.
    PeerAddress,
    |v| {
        if v.parse::<IpAddr>().is_ok() {
            return Ok(());
        }
        host_name(v)
    },
    "a valid peer address",
    "a peer address is a DNS host name (`federation.partner.example.com`) or an IP address (`192.0.2.10`), without port"
);

json_schema_of!(
    PeerName,
    json_schema!({
        "type": "string",
        "description": "A federated peer's name: a DNS-1035 label of at most 55 characters (its gateways are `<peer>-ingress` and `<peer>-egress`).",
        "pattern": format!("^([a-z]([-a-z0-9]{{0,{}}}[a-z0-9])?)$", PEER_NAME_MAX - 2),
        "minLength": 1,
        "maxLength": PEER_NAME_MAX,
    })
);

json_schema_of!(
    PeerAddress,
    json_schema!({
        "type": "string",
        "description": "A DNS host name or an IP address of the peer's federation ingress gateway.",
        "minLength": 1,
        "maxLength": 253,
    })
);
