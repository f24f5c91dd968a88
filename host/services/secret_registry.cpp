#include "services/secret_registry.hpp"

#include <algorithm>
#include <cctype>

namespace pipehost::services {

namespace {
std::string percent_encode(std::string_view value) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out += static_cast<char>(c);
    else out += '%', out += hex[c >> 4], out += hex[c & 15];
  }
  return out;
}
}  // namespace

void SecretRegistry::add(std::string_view value) {
  if (value.size() < 4) return;
  std::lock_guard lock(mutex_);
  for (std::string form : {std::string(value), percent_encode(value)}) {
    if (std::find(values_.begin(), values_.end(), form) == values_.end()) values_.push_back(std::move(form));
  }
  // Longest first, so a secret that contains another is cut whole.
  std::sort(values_.begin(), values_.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
}

std::string SecretRegistry::redact(std::string_view text) const {
  std::string out(text);
  std::lock_guard lock(mutex_);
  for (const auto& secret : values_) {
    for (auto pos = out.find(secret); pos != std::string::npos; pos = out.find(secret, pos + 10))
      out.replace(pos, secret.size(), "[REDACTED]");
  }
  return out;
}

}  // namespace pipehost::services
