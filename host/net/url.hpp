// Absolute http(s) URLs as the client needs them: scheme, host, port, request target.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "pipehost/status.hpp"

namespace pipehost::net {

/// A parsed absolute URL. `host` is without brackets for IPv6 literals.
struct Url {
  std::string scheme;  ///< "http" or "https", lower case.
  std::string host;    ///< Lower case.
  std::uint16_t port = 0;
  std::string target;  ///< Path and query, at least "/". The fragment is dropped.

  bool tls() const { return scheme == "https"; }
  /// "host:port", with brackets around IPv6 literals (for Host headers, CONNECT and messages).
  std::string authority() const;
  /// The Host header value: the port only when it is not the scheme's default.
  std::string host_header() const;
  /// scheme://authority/target.
  std::string str() const;
};

/// Parses an absolute http:// or https:// URL. Userinfo ("user:pass@") is refused so secrets never
/// ride in URLs.
Status parse_url(std::string_view text, Url& url);

/// Resolves a Location header against the URL it came from (absolute, scheme-relative or path).
Status resolve_location(const Url& base, std::string_view location, Url& out);

/// True for "localhost", 127.0.0.0/8 and ::1.
bool is_loopback_host(std::string_view host);

/// The URL text with the values of query parameters that commonly carry secrets (key, api_key,
/// access_token, token, ...) replaced by "REDACTED", for log lines and error messages.
std::string redact_url(std::string_view url);

}  // namespace pipehost::net
