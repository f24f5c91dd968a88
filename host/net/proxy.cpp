#include "proxy.hpp"

#include <algorithm>
#include <cstdlib>

namespace pipehost::net {
namespace {

std::string env(const char* upper, const char* lower) {
  // The lower-case form wins, as in curl (HTTP_PROXY upper case is unsafe under CGI; we still read it).
  if (const char* value = std::getenv(lower); value && *value) return value;
  if (const char* value = std::getenv(upper); value && *value) return value;
  return {};
}

std::optional<Url> parse_proxy(const std::string& text, const char* name,
                               std::vector<std::string>& problems) {
  if (text.empty()) return std::nullopt;
  std::string with_scheme = text.find("://") == std::string::npos ? "http://" + text : text;
  Url url;
  Status status = parse_url(with_scheme, url);
  if (!status.is_ok()) {
    problems.push_back(std::string(name) + " ignored: " + status.message());
    return std::nullopt;
  }
  if (url.scheme != "http") {
    problems.push_back(std::string(name) + " ignored: only http:// proxies are supported");
    return std::nullopt;
  }
  return url;
}

std::string trim_lower(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

ProxySettings ProxySettings::from_environment(std::vector<std::string>& problems) {
  return from_values(env("HTTPS_PROXY", "https_proxy"), env("HTTP_PROXY", "http_proxy"),
                     env("NO_PROXY", "no_proxy"), problems);
}

ProxySettings ProxySettings::from_values(const std::string& https_proxy, const std::string& http_proxy,
                                         const std::string& no_proxy, std::vector<std::string>& problems) {
  ProxySettings settings;
  settings.https_proxy_ = parse_proxy(https_proxy, "HTTPS_PROXY", problems);
  settings.http_proxy_ = parse_proxy(http_proxy, "HTTP_PROXY", problems);
  std::string_view rest = no_proxy;
  while (!rest.empty()) {
    auto comma = rest.find(',');
    std::string entry = trim_lower(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    if (entry.empty()) continue;
    if (entry == "*") {
      settings.no_proxy_all_ = true;
      continue;
    }
    Exclusion exclusion;
    // "[::1]:8080", "host:port", "host", ".suffix", "*.suffix"
    if (entry.front() == '[') {
      auto close = entry.find(']');
      exclusion.host = entry.substr(1, close == std::string::npos ? std::string::npos : close - 1);
      if (close != std::string::npos && close + 1 < entry.size() && entry[close + 1] == ':') {
        exclusion.port = std::atoi(entry.c_str() + close + 2);
      }
    } else {
      auto colon = entry.find(':');
      // More than one colon: a bare IPv6 address without port.
      if (colon != std::string::npos && entry.find(':', colon + 1) == std::string::npos) {
        exclusion.port = std::atoi(entry.c_str() + colon + 1);
        entry.resize(colon);
      }
      if (entry.starts_with("*.")) entry.erase(0, 2);
      while (!entry.empty() && entry.front() == '.') entry.erase(0, 1);
      exclusion.host = entry;
    }
    if (!exclusion.host.empty()) settings.exclusions_.push_back(std::move(exclusion));
  }
  return settings;
}

bool ProxySettings::bypass(const Url& destination) const {
  if (is_loopback_host(destination.host)) return true;
  if (no_proxy_all_) return true;
  for (const auto& exclusion : exclusions_) {
    if (exclusion.port != 0 && exclusion.port != destination.port) continue;
    const std::string& host = destination.host;
    if (host == exclusion.host) return true;
    if (host.size() > exclusion.host.size() && host.ends_with(exclusion.host) &&
        host[host.size() - exclusion.host.size() - 1] == '.') {
      return true;
    }
  }
  return false;
}

std::optional<Url> ProxySettings::proxy_for(const Url& destination) const {
  const auto& proxy = destination.tls() ? https_proxy_ : http_proxy_;
  if (!proxy || bypass(destination)) return std::nullopt;
  return proxy;
}

}  // namespace pipehost::net
