#include "tls.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/error.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace pipehost::net {

namespace ssl = boost::asio::ssl;

bool is_hashed_ca_folder(const std::string& dir) {
  std::error_code error;
  for (std::filesystem::directory_iterator it(dir, error), end; !error && it != end; it.increment(error)) {
    auto name = it->path().filename().string();
    auto dot = name.find('.');
    if (dot != 8 || dot + 1 >= name.size()) continue;
    if (name.find_first_not_of("0123456789abcdef") < dot) continue;
    if (name.find_first_not_of("0123456789", dot + 1) == std::string::npos) return true;
  }
  return false;
}

const SystemTrust& system_trust() {
  static const SystemTrust trust = [] {
    if (std::getenv(X509_get_default_cert_file_env()) || std::getenv(X509_get_default_cert_dir_env()))
      return SystemTrust{};
    std::string dir = X509_get_default_cert_dir();
    return is_hashed_ca_folder(dir) ? SystemTrust{dir} : SystemTrust{};
  }();
  return trust;
}

Status make_tls_context(const HttpClientOptions& options, std::shared_ptr<ssl::context>& out,
                        const SystemTrust& trust) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  boost::system::error_code ec;
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                           ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1,
                       ec);
  if (ec) return Status::fatal("TLS setup failed: " + ec.message());
  if (options.insecure_skip_verify) {
    context->set_verify_mode(ssl::verify_none);
  } else {
    context->set_verify_mode(ssl::verify_peer);
    if (trust.hashed_dir.empty()) {
      context->set_default_verify_paths(ec);
    } else {
      context->add_verify_path(trust.hashed_dir, ec);
    }
    if (ec) return Status::fatal("TLS setup failed: cannot load the system CA store: " + ec.message());
  }
  if (!options.ca_file.empty()) {
    if (!std::ifstream(options.ca_file)) {
      return Status::fatal("ca_file '" + options.ca_file + "' cannot be read");
    }
    context->load_verify_file(options.ca_file, ec);
    if (ec) {
      return Status::fatal("ca_file '" + options.ca_file +
                           "' is not a PEM certificate file: " + ec.message());
    }
  }
  out = std::move(context);
  return Status::ok();
}

Status configure_tls_session(SSL* ssl, const std::string& host, bool verify) {
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(host, ec);
  bool is_ip = !ec;
  // RFC 6066: SNI carries host names only.
  if (!is_ip && !SSL_set_tlsext_host_name(ssl, host.c_str())) {
    return Status::fatal("TLS setup failed: cannot set SNI host name '" + host + "'");
  }
  if (!verify) return Status::ok();
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  int set = is_ip ? X509_VERIFY_PARAM_set1_ip_asc(param, address.to_string().c_str())
                  : X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
  if (set != 1) return Status::fatal("TLS setup failed: cannot set the expected host '" + host + "'");
  return Status::ok();
}

std::string describe_handshake_error(SSL* ssl, const boost::system::error_code& error, bool& permanent) {
  permanent = false;
  long verify = ssl ? SSL_get_verify_result(ssl) : X509_V_OK;
  if (verify != X509_V_OK) {
    permanent = true;
    std::string text = "certificate verification failed: ";
    text += X509_verify_cert_error_string(verify);
    switch (verify) {
      case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
      case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
      case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
      case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        text += " (the server's certificate is not trusted; set ca_file to the PEM of the CA that signed it)";
        break;
      case X509_V_ERR_HOSTNAME_MISMATCH:
      case X509_V_ERR_IP_ADDRESS_MISMATCH:
        text += " (the certificate was issued for another name)";
        break;
      default:
        break;
    }
    return text;
  }
  if (error.category() == boost::asio::error::get_ssl_category()) {
    // Protocol-level rejection (no shared cipher, wrong version, not TLS at all): retrying will not help.
    permanent = true;
    char buffer[256];
    ERR_error_string_n(static_cast<unsigned long>(error.value()), buffer, sizeof buffer);
    return std::string("TLS handshake failed: ") + buffer;
  }
  return "TLS handshake failed: " + error.message();
}

}  // namespace pipehost::net
