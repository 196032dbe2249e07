//! Stopping on SIGINT (Ctrl-C) or SIGTERM (a service manager) without cutting a pass short.

use tokio::sync::watch;

/// A stop request, listened for from the moment [`StopSignal::install`] is called. The first
/// signal asks the command to stop after the pass in progress; a second one exits at once with
/// status 130.
#[derive(Clone)]
pub struct StopSignal {
    requested: watch::Receiver<bool>,
}

impl StopSignal {
    /// Installs the signal handlers now, so that a signal during the first pass is caught even
    /// if the process was started with SIGINT ignored (as `&` does in a script).
    pub fn install() -> StopSignal {
        let (sender, requested) = watch::channel(false);
        let mut signals = Signals::install();
        tokio::spawn(async move {
            signals.next().await;
            eprintln!(
                "stop requested: finishing the work in progress (signal again to stop at once)"
            );
            let _ = sender.send(true);
            signals.next().await;
            eprintln!("stopped at once");
            std::process::exit(130);
        });
        StopSignal { requested }
    }

    /// Returns true once a stop was requested.
    pub fn is_requested(&self) -> bool {
        *self.requested.borrow()
    }

    /// Resolves when a stop is requested (at once if it already was).
    pub async fn requested(&mut self) {
        // An error means the sender is gone, which happens only if the listener task ended;
        // waiting forever is then the only correct answer.
        if self.requested.wait_for(|stop| *stop).await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// The registered handlers for SIGINT and SIGTERM.
struct Signals {
    #[cfg(unix)]
    interrupt: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    terminate: Option<tokio::signal::unix::Signal>,
}

impl Signals {
    #[cfg(unix)]
    fn install() -> Signals {
        use tokio::signal::unix::{SignalKind, signal};
        let register = |kind: SignalKind, name: &str| match signal(kind) {
            Ok(stream) => Some(stream),
            Err(error) => {
                tracing::error!(%error, signal = name, "cannot listen for the signal");
                None
            }
        };
        Signals {
            interrupt: register(SignalKind::interrupt(), "SIGINT"),
            terminate: register(SignalKind::terminate(), "SIGTERM"),
        }
    }

    #[cfg(not(unix))]
    fn install() -> Signals {
        Signals {}
    }

    /// Resolves at the next SIGINT or SIGTERM.
    #[cfg(unix)]
    async fn next(&mut self) {
        let interrupt = async {
            match &mut self.interrupt {
                Some(stream) => stream.recv().await,
                None => std::future::pending().await,
            }
        };
        let terminate = async {
            match &mut self.terminate {
                Some(stream) => stream.recv().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate => {}
        }
    }

    #[cfg(not(unix))]
    async fn next(&mut self) {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}
