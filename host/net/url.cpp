#include "url.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include <boost/algorithm/string/case_conv.hpp>
#include <boost/asio/ip/address.hpp>

namespace pipehost::net {
namespace {

std::uint16_t default_port(std::string_view scheme) {
  return scheme == "https" ? 443 : 80;
}

bool is_ipv6_literal(std::string_view host) {
  return host.find(':') != std::string_view::npos;
}

/// The host as it appears in an authority: IPv6 literals in brackets. (Built with append: GCC 12's
/// -Wrestrict misfires on `"[" + host + "]"` in optimised builds.)
std::string bracketed_host(const std::string& host) {
  if (!is_ipv6_literal(host)) return host;
  std::string out;
  out.reserve(host.size() + 2);
  out.append("[").append(host).append("]");
  return out;
}

Status bad_url(std::string_view text, std::string_view why) {
  return Status::fatal("invalid URL '" + redact_url(text) + "': " + std::string(why));
}

}  // namespace

std::string Url::authority() const {
  std::string out = bracketed_host(host);
  out.append(":").append(std::to_string(port));
  return out;
}

std::string Url::host_header() const {
  std::string out = bracketed_host(host);
  if (port != default_port(scheme)) out.append(":").append(std::to_string(port));
  return out;
}

std::string Url::str() const {
  return scheme + "://" + host_header() + target;
}

Status parse_url(std::string_view text, Url& url) {
  for (unsigned char c : text) {
    // Whitespace or control bytes in a URL would let a caller smuggle header lines.
    if (c <= 0x20 || c == 0x7f) return bad_url(text, "contains whitespace or control characters");
  }
  auto scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) return bad_url(text, "expected http:// or https://");
  Url out;
  out.scheme = boost::algorithm::to_lower_copy(std::string(text.substr(0, scheme_end)));
  if (out.scheme != "http" && out.scheme != "https") {
    return bad_url(text, "unsupported scheme '" + out.scheme + "' (expected http or https)");
  }
  std::string_view rest = text.substr(scheme_end + 3);
  auto authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view tail =
      authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) {
    return bad_url(text, "user information in URLs is not supported (credentials belong in headers)");
  }
  std::string_view host;
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return bad_url(text, "unterminated IPv6 literal");
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad_url(text, "unexpected text after IPv6 literal");
      port_text = after.substr(1);
    }
    boost::system::error_code ec;
    boost::asio::ip::make_address_v6(std::string(host), ec);
    if (ec) return bad_url(text, "invalid IPv6 literal");
  } else {
    auto colon = authority.rfind(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (host.empty()) return bad_url(text, "missing host");
  out.host = boost::algorithm::to_lower_copy(std::string(host));
  out.port = default_port(out.scheme);
  if (!port_text.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc{} || end != port_text.data() + port_text.size() || value == 0 || value > 65535) {
      return bad_url(text, "invalid port '" + std::string(port_text) + "'");
    }
    out.port = static_cast<std::uint16_t>(value);
  }
  tail = tail.substr(0, tail.find('#'));
  // A target always starts with '/' (push_back, not a literal: GCC 12's -Wrestrict misfires on that).
  std::string target;
  if (tail.empty() || tail.front() == '?') target.push_back('/');
  target.append(tail);
  out.target = std::move(target);
  url = std::move(out);
  return Status::ok();
}

Status resolve_location(const Url& base, std::string_view location, Url& out) {
  if (location.empty()) return Status::fatal("redirect without a Location header");
  if (location.find("://") != std::string_view::npos) return parse_url(location, out);
  if (location.substr(0, 2) == "//") return parse_url(base.scheme + ":" + std::string(location), out);
  Url result = base;
  if (location.front() == '/') {
    result.target = std::string(location);
  } else {
    // Relative path: replace the last segment of the base path (query dropped).
    std::string path = base.target.substr(0, base.target.find('?'));
    path = path.substr(0, path.rfind('/') + 1);
    result.target = path + std::string(location);
  }
  result.target = result.target.substr(0, result.target.find('#'));
  // Re-validate through the parser so the same character rules apply.
  return parse_url(result.str(), out);
}

bool is_loopback_host(std::string_view host) {
  if (host == "localhost" || host.ends_with(".localhost")) return true;
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(std::string(host), ec);
  return !ec && address.is_loopback();
}

std::string redact_url(std::string_view original) {
  // Userinfo ("user:password@") is a credential.
  std::string without_userinfo(original);
  if (auto scheme = original.find("://"); scheme != std::string_view::npos) {
    auto authority_end = original.find_first_of("/?#", scheme + 3);
    auto at = original.substr(0, authority_end).rfind('@');
    if (at != std::string_view::npos && at > scheme) {
      without_userinfo =
          std::string(original.substr(0, scheme + 3)) + "[REDACTED]" + std::string(original.substr(at));
    }
  }
  std::string_view url = without_userinfo;
  static constexpr std::array<std::string_view, 8> kSecretParams = {
      "key", "api_key", "apikey", "access_token", "token", "signature", "sig", "password"};
  auto query = url.find('?');
  if (query == std::string_view::npos) return without_userinfo;
  std::string out(url.substr(0, query + 1));
  std::string_view rest = url.substr(query + 1);
  std::string_view fragment;
  if (auto hash = rest.find('#'); hash != std::string_view::npos) {
    fragment = rest.substr(hash);
    rest = rest.substr(0, hash);
  }
  bool first = true;
  while (true) {
    auto amp = rest.find('&');
    std::string_view param = rest.substr(0, amp);
    if (!first) out += '&';
    first = false;
    auto eq = param.find('=');
    std::string name = boost::algorithm::to_lower_copy(std::string(param.substr(0, eq)));
    bool secret = std::find(kSecretParams.begin(), kSecretParams.end(), name) != kSecretParams.end();
    if (secret && eq != std::string_view::npos) {
      out += std::string(param.substr(0, eq + 1)) + "REDACTED";
    } else {
      out += std::string(param);
    }
    if (amp == std::string_view::npos) break;
    rest = rest.substr(amp + 1);
  }
  out += std::string(fragment);
  return out;
}

}  // namespace pipehost::net
