//! Emulators of the NetSuite SOAP and Salesforce REST APIs on their real wire formats, so every
//! flow can be run, tested and benchmarked without a vendor account.
//!
//! [`Sandbox::start`] serves both emulators on 127.0.0.1 in the current process, with fresh
//! random credentials and the chosen seed data.

pub mod netsuite;
pub mod salesforce;
mod seed;

use std::io;
use std::net::{Ipv4Addr, SocketAddr};

use chrono::{DateTime, Utc};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use netsuite::{NetSuiteCredentials, NetSuiteEmulator};
pub use salesforce::{SalesforceCredentials, SalesforceEmulator};
pub use seed::Seed;

/// The SuiteTalk endpoint version the sandbox advertises in its configuration. The emulator
/// answers any version in the request path.
pub const NETSUITE_VERSION: &str = "2025_2";

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
    #[error("the seed data was refused by the Salesforce emulator: {0}")]
    Seed(String),
}

/// Both emulators, served until [`Sandbox::shutdown`] or until the value is dropped.
pub struct Sandbox {
    netsuite: NetSuiteEmulator,
    salesforce: SalesforceEmulator,
    netsuite_addr: SocketAddr,
    salesforce_addr: SocketAddr,
    started_at: DateTime<Utc>,
    stop: watch::Sender<bool>,
    servers: Vec<JoinHandle<()>>,
}

impl Sandbox {
    /// Binds both ports on 127.0.0.1, loads the seed and starts serving.
    pub async fn start(options: SandboxOptions) -> Result<Sandbox, SandboxError> {
        if options.netsuite_port != 0 && options.netsuite_port == options.salesforce_port {
            return Err(SandboxError::SamePort(options.netsuite_port));
        }
        let started_at = Utc::now();
        let netsuite = NetSuiteEmulator::new(NetSuiteCredentials::generate());
        let salesforce = SalesforceEmulator::new(SalesforceCredentials::generate());
        seed::load(options.seed, &netsuite, &salesforce, started_at)
            .map_err(|error| SandboxError::Seed(error.to_string()))?;

        let netsuite_listener = bind("NetSuite", options.netsuite_port).await?;
        let salesforce_listener = bind("Salesforce", options.salesforce_port).await?;
        let (stop, stopped) = watch::channel(false);
        let sandbox = Sandbox {
            netsuite_addr: local_addr("NetSuite", &netsuite_listener)?,
            salesforce_addr: local_addr("Salesforce", &salesforce_listener)?,
            servers: vec![
                serve(netsuite_listener, netsuite.router(), stopped.clone()),
                serve(salesforce_listener, salesforce.router(), stopped),
            ],
            netsuite,
            salesforce,
            started_at,
            stop,
        };
        tracing::info!(netsuite = %sandbox.netsuite_url(), salesforce = %sandbox.salesforce_url(), "sandbox started");
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
            ("TANDEM_SALESFORCE_CLIENT_ID", sf.client_id.clone()),
            ("TANDEM_SALESFORCE_CLIENT_SECRET", sf.client_secret.clone()),
        ]
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

async fn bind(emulator: &'static str, port: u16) -> Result<TcpListener, SandboxError> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, port))
        .await
        .map_err(|cause| SandboxError::Bind {
            emulator,
            port,
            cause,
        })
}

fn local_addr(emulator: &'static str, listener: &TcpListener) -> Result<SocketAddr, SandboxError> {
    listener.local_addr().map_err(|cause| SandboxError::Bind {
        emulator,
        port: 0,
        cause,
    })
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
