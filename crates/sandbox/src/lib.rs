//! Emulators of the NetSuite SOAP and Salesforce REST APIs on their real wire formats, so every
//! flow can be run, tested and benchmarked without a vendor account.
//!
//! [`Sandbox::start`] serves both emulators on 127.0.0.1 in the current process, with fresh
//! random credentials and the chosen seed data. [`Sandbox::start_with_tls`] also serves the
//! Salesforce emulator over HTTPS, with a certificate authority made at start.

pub mod netsuite;
pub mod salesforce;
pub mod seed;

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use netsuite::{NetSuiteCredentials, NetSuiteEmulator};
pub use salesforce::{SalesforceCredentials, SalesforceEmulator, TlsIdentity};
pub use seed::Seed;

/// The SuiteTalk endpoint version the sandbox advertises in its configuration. The emulator
/// answers any version in the request path.
pub const NETSUITE_VERSION: &str = "2025_2";

/// The certificate ID under which the sandbox uploads its OAuth 2.0 certificate to the
/// NetSuite emulator.
pub const NETSUITE_CERTIFICATE_ID: &str = "tandem-sandbox";

/// Where and with what the sandbox starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SandboxOptions {
    /// Port of the NetSuite emulator; 0 picks a free one.
    pub netsuite_port: u16,
    /// Port of the Salesforce emulator; 0 picks a free one.
    pub salesforce_port: u16,
    pub seed: Seed,
}

/// Why the sandbox could not start.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error(
        "cannot listen on 127.0.0.1:{port} for the {emulator} emulator ({cause}); choose \
         another port or stop what uses it"
    )]
    Bind {
        emulator: &'static str,
        port: u16,
        cause: io::Error,
    },
    #[error("the NetSuite and Salesforce emulators need two different ports; both were {0}")]
    SamePort(u16),
    #[error("the seed data was refused by an emulator: {0}")]
    Seed(String),
    #[error("cannot set up HTTPS for the Salesforce emulator: {0}")]
    Tls(String),
    #[error("cannot make the NetSuite emulator's OAuth 2.0 certificate: {0}")]
    Certificate(String),
}

/// The header that carries a webhook's signature, as Tandem's webhook endpoints read it.
pub const WEBHOOK_SIGNATURE_HEADER: &str = "x-tandem-signature";

/// Returns the lower-case hex HMAC-SHA256 of a webhook `body` under the shared `secret`.
pub(crate) fn webhook_signature(secret: &str, body: &[u8]) -> String {
    use hmac::{Hmac, KeyInit, Mac};
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail.
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes())
        .expect("HMAC-SHA256 accepts keys of any length");
    mac.update(body);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// How long one webhook of an emulator may take before it is given up.
const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(5);

/// Posts `messages` as JSON webhooks to `url` in the background, one request each and in
/// order, with the signature header when a `secret` is set. The emulators send their change
/// notifications through this, as a user-event script or an Apex callout would. Outside a
/// Tokio runtime the messages are dropped, with a log line. `record_type` names a message's
/// record type in the logs.
pub(crate) fn spawn_webhooks<M: serde::Serialize + Send + 'static>(
    url: url::Url,
    secret: Option<String>,
    messages: Vec<M>,
    record_type: fn(&M) -> &str,
) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        tracing::warn!(messages = messages.len(), "webhooks dropped: no runtime");
        return;
    };
    runtime.spawn(async move {
        let client = reqwest::Client::new();
        for message in messages {
            let body = serde_json::to_vec(&message).unwrap_or_default();
            let mut request = client
                .post(url.clone())
                .timeout(WEBHOOK_TIMEOUT)
                .header("content-type", "application/json");
            if let Some(secret) = &secret {
                let signature = format!("sha256={}", webhook_signature(secret, &body));
                request = request.header(WEBHOOK_SIGNATURE_HEADER, signature);
            }
            match request.body(body).send().await {
                Ok(response) => tracing::debug!(
                    record_type = record_type(&message),
                    status = %response.status(),
                    "sent webhook"
                ),
                Err(error) => tracing::warn!(
                    record_type = record_type(&message),
                    %error,
                    "webhook failed"
                ),
            }
        }
    });
}

/// How long a stopping HTTPS server waits for requests in flight.
const TLS_SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Both emulators, served until [`Sandbox::shutdown`] or until the value is dropped.
pub struct Sandbox {
    netsuite: NetSuiteEmulator,
    /// The PEM EC private key whose certificate the NetSuite emulator holds for OAuth 2.0.
    netsuite_private_key: String,
    salesforce: SalesforceEmulator,
    netsuite_addr: SocketAddr,
    salesforce_addr: SocketAddr,
    salesforce_tls: Option<(SocketAddr, TlsIdentity)>,
    started_at: DateTime<Utc>,
    stop: watch::Sender<bool>,
    servers: Vec<JoinHandle<()>>,
}

impl Sandbox {
    /// Binds both ports on 127.0.0.1, loads the seed and starts serving.
    pub async fn start(options: SandboxOptions) -> Result<Sandbox, SandboxError> {
        Sandbox::start_with_tls(options, None).await
    }

    /// Starts like [`Sandbox::start`] and, with `salesforce_tls_port`, also serves the
    /// Salesforce emulator over HTTPS on that port of 127.0.0.1 (0 picks a free one). The
    /// HTTPS port serves the same org as the plain one.
    pub async fn start_with_tls(
        options: SandboxOptions,
        salesforce_tls_port: Option<u16>,
    ) -> Result<Sandbox, SandboxError> {
        if options.netsuite_port != 0 && options.netsuite_port == options.salesforce_port {
            return Err(SandboxError::SamePort(options.netsuite_port));
        }
        if let Some(port) = salesforce_tls_port.filter(|port| *port != 0)
            && (port == options.netsuite_port || port == options.salesforce_port)
        {
            return Err(SandboxError::SamePort(port));
        }
        let started_at = Utc::now();
        let netsuite = NetSuiteEmulator::new(NetSuiteCredentials::generate());
        let netsuite_private_key = oauth2_certificate(&netsuite)?;
        let salesforce = SalesforceEmulator::new(SalesforceCredentials::generate());
        seed::load(options.seed, &netsuite, &salesforce, started_at)
            .map_err(|error| SandboxError::Seed(error.to_string()))?;

        let netsuite_listener = bind("NetSuite", options.netsuite_port).await?;
        let salesforce_listener = bind("Salesforce", options.salesforce_port).await?;
        let tls_listener = match salesforce_tls_port {
            Some(port) => Some(bind("Salesforce HTTPS", port).await?),
            None => None,
        };
        let (stop, stopped) = watch::channel(false);
        let mut servers = vec![
            serve(netsuite_listener.0, netsuite.router(), stopped.clone()),
            serve(salesforce_listener.0, salesforce.router(), stopped.clone()),
        ];
        let salesforce_tls = match tls_listener {
            Some((listener, addr)) => {
                let identity = TlsIdentity::generate()
                    .map_err(|error| SandboxError::Tls(error.to_string()))?;
                servers.push(serve_tls(listener, &identity, &salesforce, stopped).await?);
                Some((addr, identity))
            }
            None => None,
        };
        let sandbox = Sandbox {
            netsuite_addr: netsuite_listener.1,
            salesforce_addr: salesforce_listener.1,
            salesforce_tls,
            servers,
            netsuite,
            netsuite_private_key,
            salesforce,
            started_at,
            stop,
        };
        tracing::info!(
            netsuite = %sandbox.netsuite_url(),
            salesforce = %sandbox.salesforce_url(),
            salesforce_tls = sandbox.salesforce_tls_url().unwrap_or_default(),
            "sandbox started"
        );
        Ok(sandbox)
    }

    /// Returns when the sandbox started.
    pub fn started_at(&self) -> DateTime<Utc> {
        self.started_at
    }

    /// Returns the NetSuite emulator, for seeding and inspecting records.
    pub fn netsuite(&self) -> &NetSuiteEmulator {
        &self.netsuite
    }

    /// Returns the Salesforce emulator, for seeding and inspecting records.
    pub fn salesforce(&self) -> &SalesforceEmulator {
        &self.salesforce
    }

    /// Returns the NetSuite emulator's base URL (`http://127.0.0.1:P`).
    pub fn netsuite_url(&self) -> String {
        format!("http://{}", self.netsuite_addr)
    }

    /// Returns the full SOAP endpoint URL for [`NETSUITE_VERSION`].
    pub fn netsuite_endpoint(&self) -> String {
        format!(
            "{}/services/NetSuitePort_{NETSUITE_VERSION}",
            self.netsuite_url()
        )
    }

    /// Returns the Salesforce emulator's base URL, which is also its login URL.
    pub fn salesforce_url(&self) -> String {
        format!("http://{}", self.salesforce_addr)
    }

    /// Returns the Salesforce emulator's HTTPS base URL (`https://127.0.0.1:P`) when it serves
    /// HTTPS.
    pub fn salesforce_tls_url(&self) -> Option<String> {
        self.salesforce_tls
            .as_ref()
            .map(|(addr, _)| format!("https://{addr}"))
    }

    /// Returns the PEM certificate of the authority that signed the HTTPS port's certificate,
    /// for clients to trust, when the Salesforce emulator serves HTTPS.
    pub fn ca_certificate_pem(&self) -> Option<&str> {
        self.salesforce_tls
            .as_ref()
            .map(|(_, identity)| identity.ca_certificate_pem())
    }

    /// Returns the credentials as the `TANDEM_*` environment variables that `tandem run` reads.
    pub fn environment(&self) -> Vec<(&'static str, String)> {
        let ns = self.netsuite.credentials();
        let sf = self.salesforce.credentials();
        vec![
            ("TANDEM_NETSUITE_ACCOUNT", ns.account.clone()),
            ("TANDEM_NETSUITE_CONSUMER_KEY", ns.consumer_key.clone()),
            (
                "TANDEM_NETSUITE_CONSUMER_SECRET",
                ns.consumer_secret.clone(),
            ),
            ("TANDEM_NETSUITE_TOKEN_ID", ns.token_id.clone()),
            ("TANDEM_NETSUITE_TOKEN_SECRET", ns.token_secret.clone()),
            ("TANDEM_NETSUITE_CLIENT_ID", ns.consumer_key.clone()),
            (
                "TANDEM_NETSUITE_CERTIFICATE_ID",
                NETSUITE_CERTIFICATE_ID.to_string(),
            ),
            ("TANDEM_SALESFORCE_CLIENT_ID", sf.client_id.clone()),
            ("TANDEM_SALESFORCE_CLIENT_SECRET", sf.client_secret.clone()),
        ]
    }

    /// Returns the PEM private key (EC P-256, for ES256) of the certificate the NetSuite
    /// emulator holds for OAuth 2.0 client credentials, under [`NETSUITE_CERTIFICATE_ID`].
    /// It spans several lines, so it is not part of [`Sandbox::environment`].
    pub fn netsuite_private_key(&self) -> &str {
        &self.netsuite_private_key
    }

    /// Stops serving and waits for both servers to finish their requests in flight.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        for server in self.servers.drain(..) {
            let _ = server.await;
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// Binds `port` of 127.0.0.1 and returns the listener with its address.
async fn bind(
    emulator: &'static str,
    port: u16,
) -> Result<(TcpListener, SocketAddr), SandboxError> {
    let bind_error = |cause| SandboxError::Bind {
        emulator,
        port,
        cause,
    };
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port))
        .await
        .map_err(bind_error)?;
    let addr = listener.local_addr().map_err(bind_error)?;
    Ok((listener, addr))
}

/// Serves the Salesforce emulator over TLS on `listener` until `stopped` turns true.
async fn serve_tls(
    listener: TcpListener,
    identity: &TlsIdentity,
    salesforce: &SalesforceEmulator,
    mut stopped: watch::Receiver<bool>,
) -> Result<JoinHandle<()>, SandboxError> {
    let tls_error = |error: io::Error| SandboxError::Tls(error.to_string());
    let config = axum_server::tls_rustls::RustlsConfig::from_pem(
        identity.server_chain_pem().into_bytes(),
        identity.server_key_pem().as_bytes().to_vec(),
    )
    .await
    .map_err(tls_error)?;
    let listener = listener.into_std().map_err(tls_error)?;
    let server = axum_server::from_tcp_rustls(listener, config).map_err(tls_error)?;
    let handle = axum_server::Handle::new();
    let shutdown = handle.clone();
    tokio::spawn(async move {
        while !*stopped.borrow() {
            if stopped.changed().await.is_err() {
                break;
            }
        }
        shutdown.graceful_shutdown(Some(TLS_SHUTDOWN_GRACE));
    });
    let router = salesforce.tls_router();
    Ok(tokio::spawn(async move {
        if let Err(error) = server
            .handle(handle)
            .serve(router.into_make_service())
            .await
        {
            tracing::error!(%error, "sandbox HTTPS server stopped");
        }
    }))
}

fn serve(
    listener: TcpListener,
    router: axum::Router,
    mut stopped: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let shutdown = async move {
            while !*stopped.borrow() {
                if stopped.changed().await.is_err() {
                    break;
                }
            }
        };
        if let Err(error) = axum::serve(listener, router)
            .with_graceful_shutdown(shutdown)
            .await
        {
            tracing::error!(%error, "sandbox server stopped");
        }
    })
}

/// Makes an EC P-256 key pair, gives its self-signed certificate to the NetSuite emulator for
/// OAuth 2.0 client credentials, and returns the private key in PEM form.
fn oauth2_certificate(netsuite: &NetSuiteEmulator) -> Result<String, SandboxError> {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
        .map_err(|error| SandboxError::Certificate(error.to_string()))?;
    let certificate = rcgen::CertificateParams::new(Vec::<String>::new())
        .and_then(|params| params.self_signed(&key))
        .map_err(|error| SandboxError::Certificate(error.to_string()))?;
    netsuite
        .set_oauth2_certificate(NETSUITE_CERTIFICATE_ID, &certificate.pem())
        .map_err(SandboxError::Certificate)?;
    Ok(key.serialize_pem())
}
