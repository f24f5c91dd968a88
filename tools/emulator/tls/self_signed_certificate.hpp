// The emulator's own TLS identity: a self-signed certificate made at start-up (EC P-256, SAN
// IP:127.0.0.1 and DNS:localhost, CA:TRUE so clients can trust it as their ca_file).
#pragma once

#include <filesystem>
#include <memory>
#include <string>

namespace boost::asio::ssl {
class context;
}

namespace pipehost::emulator {

struct CertificateAndKey {
  std::string certificate_pem;
  std::string private_key_pem;
};

/// Generates a fresh key pair and certificate with the OpenSSL API; throws on failure.
CertificateAndKey generate_self_signed_certificate();

/// A TLS 1.2+ server context using the given certificate and key.
std::shared_ptr<boost::asio::ssl::context> make_server_tls_context(const CertificateAndKey& identity);

}  // namespace pipehost::emulator
