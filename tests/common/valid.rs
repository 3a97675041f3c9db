//! A small valid repository that uses most inputs: an `ossm2` base with an ingress gateway (login
//! flow) and an egress gateway (SLA classes), tenant `shop` with an ingress request (a token-checked
//! host and a mutual-TLS host) and an egress request. Tests write it, then break one file.

pub const BASE: &str = "base/meshedge.yaml";
pub const PROD: &str = "environments/prod/meshedge.yaml";
pub const TENANT: &str = "base/tenants/shop/tenant.yaml";
pub const WEB: &str = "base/tenants/shop/web.yaml";
pub const PARTNER: &str = "base/tenants/shop/partner.yaml";

pub const BASE_TEXT: &str = r#"apiVersion: meshedge.io/v1alpha1
kind: Layer
metadata:
  name: base
settings:
  mesh:
    flavor: ossm2
    controlPlane:
      name: basic
      manage: false
  ingress:
    defaultGateway: public
    gateways:
      - name: public
        namespace: istio-ingress
        selector: {istio: ingressgateway}
        domain: apps.example.com
        allowedHosts: ["*.apps.example.com"]
        certificateIssuer: {kind: ClusterIssuer, name: public-ca}
        exposure: route
        oidc:
          issuer: https://sso.example.com/realms/corp
          clientId: mesh-edge
          clientSecretRef: {name: oidc-client, key: secret}
          cookieSecretRef: {name: oidc-cookie, key: secret}
  egress:
    defaultGateway: egress
    gateways:
      - name: egress
        namespace: istio-egress
        selector: {istio: egressgateway}
        egressIPs: [192.0.2.10]
    allowedHosts: [api.partner.example]
    slaHeader: x-sla-class
    slaClasses:
      - name: gold
        connectionPool: {tcp: {maxConnections: 100}, http: {http1MaxPendingRequests: 100}}
        outlierDetection: {consecutive5xxErrors: 5, interval: 10s, baseEjectionTime: 30s, maxEjectionPercent: 50}
      - name: bronze
        connectionPool: {tcp: {maxConnections: 5}}
    defaultSlaClass: bronze
"#;

pub const TENANT_TEXT: &str =
    "apiVersion: meshedge.io/v1alpha1\nkind: Tenant\nmetadata:\n  name: shop\nspec:\n  namespaces: [shop]\n";

pub const WEB_TEXT: &str = r#"apiVersion: meshedge.io/v1alpha1
kind: EdgeRequest
metadata:
  name: web
spec:
  ingress:
    - host: shop
      jwt:
        issuer: https://sso.example.com/realms/shop
        jwksUri: https://sso.example.com/realms/shop/protocol/openid-connect/certs
        audiences: [shop]
      routes:
        - {path: /api, service: shop-api, port: 8080, timeout: 10s}
        - {path: /, service: web, port: 8080}
    - host: partner-api
      tls: mutual
      credentialName: partner-api-tls
      clientCASecret: partner-api-tls-cacert
      routes:
        - {service: partner-api, port: 8443}
"#;

pub const PARTNER_TEXT: &str = r#"apiVersion: meshedge.io/v1alpha1
kind: EdgeRequest
metadata:
  name: partner
spec:
  egress:
    - host: api.partner.example
      port: 443
      tls: mutual
      credentialName: partner-client
      caSecret: partner-client-cacert
      slaClasses: [gold]
"#;
