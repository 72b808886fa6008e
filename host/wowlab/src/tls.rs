//! Trust for talking to a sentinel over `https://` and `wss://`: the
//! system's root certificates plus, optionally, one more CA (a private CA or
//! a self-signed sentinel certificate, `--ca-cert`). One rustls
//! configuration (ring) serves both the HTTP client and the WebSocket.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

/// Why the trust could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// The `--ca-cert` file could not be read or holds no certificate.
    #[error("--ca-cert {path}: {why}")]
    CaCert {
        /// The file.
        path: String,
        /// What is wrong with it.
        why: String,
    },
    /// rustls refused the configuration.
    #[error("TLS: {0}")]
    Rustls(#[from] rustls::Error),
}

/// The certificates a client trusts.
#[derive(Clone)]
pub struct Trust {
    config: Arc<rustls::ClientConfig>,
}

impl Trust {
    /// The system's roots, plus the certificates in the PEM file `extra_ca`.
    pub fn new(extra_ca: Option<&Path>) -> Result<Self, TlsError> {
        let mut roots = rustls::RootCertStore::empty();
        let system = rustls_native_certs::load_native_certs();
        for e in &system.errors {
            tracing::debug!("a system root certificate could not be loaded: {e}");
        }
        roots.add_parsable_certificates(system.certs);
        if let Some(path) = extra_ca {
            let ca_error = |why: String| TlsError::CaCert {
                path: path.display().to_string(),
                why,
            };
            let certs = CertificateDer::pem_file_iter(path)
                .map_err(|e| ca_error(e.to_string()))?
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| ca_error(e.to_string()))?;
            if certs.is_empty() {
                return Err(ca_error("no certificate in it".to_string()));
            }
            for cert in certs {
                roots.add(cert).map_err(|e| ca_error(e.to_string()))?;
            }
        }
        if roots.is_empty() {
            tracing::debug!("no trusted root certificate: https:// sentinels need --ca-cert");
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(Self {
            config: Arc::new(config),
        })
    }

    /// An HTTP client that trusts these certificates, with a connect
    /// timeout of 10 s and, when given, an overall request timeout.
    pub fn http_client(&self, timeout: Option<Duration>) -> reqwest::Client {
        let mut builder = reqwest::Client::builder()
            .use_preconfigured_tls((*self.config).clone())
            .connect_timeout(Duration::from_secs(10));
        if let Some(timeout) = timeout {
            builder = builder.timeout(timeout);
        }
        builder
            .build()
            .expect("a client with a rustls configuration builds")
    }

    /// The connector for a `wss://` WebSocket that trusts these certificates.
    pub fn websocket(&self) -> tokio_tungstenite::Connector {
        tokio_tungstenite::Connector::Rustls(self.config.clone())
    }
}
