//! The certificates of the emulator's HTTPS port: a certificate authority made at start and a
//! server certificate it signs for `127.0.0.1`, `::1` and `localhost`.
//!
//! Clients trust the authority's certificate (`REQUESTS_CA_BUNDLE` for Python's requests,
//! `NODE_EXTRA_CA_CERTS` for Node). A separate authority, instead of one self-signed server
//! certificate, keeps strict verifiers content: they reject a CA certificate used as a server
//! certificate.

use std::fmt;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose,
};

/// Names the server certificate is valid for.
const SERVER_NAMES: [&str; 3] = ["127.0.0.1", "::1", "localhost"];

/// A certificate authority and the server certificate it signed, all in PEM.
#[derive(Clone)]
pub struct TlsIdentity {
    ca_pem: String,
    server_pem: String,
    server_key_pem: String,
}

impl fmt::Debug for TlsIdentity {
    /// Prints the certificates' presence only; the private key stays out of logs.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("TlsIdentity")
            .field("names", &SERVER_NAMES)
            .finish_non_exhaustive()
    }
}

impl TlsIdentity {
    /// Generates a new authority (ECDSA P-256) and a server certificate signed by it.
    pub fn generate() -> Result<TlsIdentity, rcgen::Error> {
        let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        ca_params.distinguished_name = name("Tandem sandbox CA");
        let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate()?)?;

        let names: Vec<String> = SERVER_NAMES.iter().map(|name| name.to_string()).collect();
        let mut server_params = CertificateParams::new(names)?;
        server_params.distinguished_name = name("Tandem sandbox");
        server_params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        server_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let server_key = KeyPair::generate()?;
        let server = server_params.signed_by(&server_key, &ca)?;
        Ok(TlsIdentity {
            ca_pem: ca.pem(),
            server_pem: server.pem(),
            server_key_pem: server_key.serialize_pem(),
        })
    }

    /// Returns the authority's certificate in PEM, the file clients are told to trust.
    pub fn ca_certificate_pem(&self) -> &str {
        &self.ca_pem
    }

    /// Returns the server certificate followed by the authority's, in PEM.
    pub fn server_chain_pem(&self) -> String {
        format!("{}{}", self.server_pem, self.ca_pem)
    }

    /// Returns the server certificate's private key in PKCS#8 PEM.
    pub fn server_key_pem(&self) -> &str {
        &self.server_key_pem
    }
}

fn name(common_name: &str) -> DistinguishedName {
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, common_name);
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generate_gives_pem_certificates_and_key() {
        let identity = TlsIdentity::generate().unwrap();
        assert!(
            identity
                .ca_certificate_pem()
                .starts_with("-----BEGIN CERTIFICATE-----")
        );
        assert_eq!(
            identity
                .server_chain_pem()
                .matches("BEGIN CERTIFICATE")
                .count(),
            2
        );
        assert!(identity.server_key_pem().contains("PRIVATE KEY"));
    }

    #[test]
    fn debug_hides_private_key() {
        let identity = TlsIdentity::generate().unwrap();
        assert!(!format!("{identity:?}").contains("PRIVATE KEY"));
    }
}
