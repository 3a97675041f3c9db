//! E431, a requested host that nothing brings from outside the cluster.
//!
//! A gateway with `exposure: none` whose Service meshedge makes itself — the Deployment and
//! Service it deploys (`deploy: true`), or the gateway it declares in the OpenShift Service Mesh
//! 2 control plane it manages — has a `ClusterIP` Service and nothing in front of it: no Route,
//! no load balancer, and under `enforcement.networkPolicies` no policy of meshedge's opening its
//! pods (`generate::enforcement`). A host requested there is one no client outside the cluster
//! can reach (the flows stage would report `internet → <host>` blocked at the exposure, E801),
//! so it is refused here, with the two settings that expose the gateway as the help. A gateway
//! meshedge neither deploys nor declares stands behind whatever its installer put in front of
//! it, which the settings do not describe: its hosts are not refused (see `docs/flows.md`).

use std::collections::BTreeMap;

use crate::diagnostic::Explain;
use crate::input::Exposure;
use crate::merge::Request;
use crate::plan::{IngressGateway, IngressHost, MeshPlan};
use crate::platform::{Kind, Target};
use crate::validate::platform::PlatformError;
use crate::validate::scope::Checker;

/// Refuses the hosts of gateways with `exposure: none` whose `ClusterIP` Service meshedge emits
/// or declares. `hosts`: every claimed ingress host, with where it was claimed.
pub(crate) fn check(
    c: &mut Checker,
    hosts: &BTreeMap<String, (IngressHost, (&Request, String))>,
    gateways: &BTreeMap<String, IngressGateway>,
    mesh: &MeshPlan,
    target: Option<&Target>,
) {
    let declared = mesh.manage && target.is_some_and(|t| t.serves(Kind::ServiceMeshControlPlane));
    for (host, (request, pointer)) in hosts.values() {
        let Some(gateway) = gateways.get(&host.gateway) else { continue };
        if gateway.exposure != Exposure::None {
            continue;
        }
        let made = if gateway.deploy {
            "meshedge deploys its Service as ClusterIP (`deploy: true`)"
        } else if declared {
            "meshedge declares its Service as ClusterIP in the ServiceMeshControlPlane it manages"
        } else {
            continue;
        };
        c.diagnostics.push(
            PlatformError::HostUnexposed { host: host.host.clone(), gateway: gateway.name.clone(), made }
                .at(request.location(pointer)),
        );
    }
}
