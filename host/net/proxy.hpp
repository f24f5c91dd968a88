// Proxy selection from the conventional environment variables (HTTPS_PROXY, HTTP_PROXY, NO_PROXY and
// their lower-case forms). HTTPS goes through an HTTP CONNECT tunnel; plain HTTP is sent to the proxy
// in absolute form. Loopback destinations never use a proxy.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pipehost/status.hpp"
#include "url.hpp"

namespace pipehost::net {

class ProxySettings {
 public:
  /// Reads the environment. Invalid proxy URLs are reported through `problems` and ignored.
  static ProxySettings from_environment(std::vector<std::string>& problems);

  /// Builds settings from explicit values (empty = unset); for tests.
  static ProxySettings from_values(const std::string& https_proxy, const std::string& http_proxy,
                                   const std::string& no_proxy, std::vector<std::string>& problems);

  /// The proxy to use for `destination`, or nullopt to connect directly.
  std::optional<Url> proxy_for(const Url& destination) const;

  /// True when NO_PROXY (or loopback) says `destination` goes direct.
  bool bypass(const Url& destination) const;

 private:
  std::optional<Url> https_proxy_;
  std::optional<Url> http_proxy_;
  bool no_proxy_all_ = false;
  struct Exclusion {
    std::string host;  // lower case, without leading '.'
    int port = 0;      // 0 = any
  };
  std::vector<Exclusion> exclusions_;
};

}  // namespace pipehost::net
