// TLS settings of a client: verification on (system store + optional ca_file), TLS 1.2 minimum, and
// readable explanations of verification failures.
#pragma once

#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>

#include "pipehost/host_services.hpp"

namespace pipehost::net {

/// Builds the TLS context for `options`; fatal status when ca_file cannot be loaded.
Status make_tls_context(const HttpClientOptions& options, std::shared_ptr<boost::asio::ssl::context>& out);

/// Prepares `ssl` for a connection to `host`: SNI (names only, never IP literals) and host name / IP
/// verification by OpenSSL itself, so a mismatch reports X509_V_ERR_HOSTNAME_MISMATCH.
Status configure_tls_session(SSL* ssl, const std::string& host, bool verify);

/// Explains a failed handshake: the certificate verification error when there is one (with a hint about
/// ca_file), else the TLS error text. Sets `permanent` when retrying cannot help (certificate or protocol
/// rejection).
std::string describe_handshake_error(SSL* ssl, const boost::system::error_code& error, bool& permanent);

}  // namespace pipehost::net
