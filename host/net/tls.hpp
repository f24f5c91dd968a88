// TLS settings of a client: verification on (system store + optional ca_file), TLS 1.2 minimum, and
// readable explanations of verification failures.
#pragma once

#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>

#include "pipehost/host_services.hpp"

namespace pipehost::net {

/// Where a TLS context finds the system's trusted CAs.
struct SystemTrust {
  /// A folder of CA certificates named by subject hash (the `c_rehash` layout), read lazily: one file
  /// per issuer a server actually presents. Empty: OpenSSL's default paths, which parse the whole CA
  /// bundle file up front (~140 certificates on Debian: ~25 ms of CPU for every context, 0.2 ms lazily).
  std::string hashed_dir;
};

/// True when `dir` holds at least one `<8 hex digits>.<n>` entry (a hashed CA folder).
bool is_hashed_ca_folder(const std::string& dir);

/// The system's hashed CA folder when it can stand in for OpenSSL's defaults: neither SSL_CERT_FILE
/// nor SSL_CERT_DIR is set (they keep OpenSSL's meaning), and OpenSSL's default folder is hashed (it
/// is on Debian and Ubuntu, whose ca-certificates fills folder and bundle from the same list).
/// Otherwise empty: the defaults.
const SystemTrust& system_trust();

/// Builds the TLS context for `options`; fatal status when ca_file cannot be loaded.
Status make_tls_context(const HttpClientOptions& options, std::shared_ptr<boost::asio::ssl::context>& out,
                        const SystemTrust& trust = system_trust());

/// Prepares `ssl` for a connection to `host`: SNI (names only, never IP literals) and host name / IP
/// verification by OpenSSL itself, so a mismatch reports X509_V_ERR_HOSTNAME_MISMATCH.
Status configure_tls_session(SSL* ssl, const std::string& host, bool verify);

/// Explains a failed handshake: the certificate verification error when there is one (with a hint about
/// ca_file), else the TLS error text. Sets `permanent` when retrying cannot help (certificate or protocol
/// rejection).
std::string describe_handshake_error(SSL* ssl, const boost::system::error_code& error, bool& permanent);

}  // namespace pipehost::net
