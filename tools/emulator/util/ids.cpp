#include "emulator/util/ids.hpp"

#include <cstdio>

#include "emulator/util/hash.hpp"

namespace pipehost::emulator {

std::string base36_id(std::uint64_t salt, std::uint64_t n) {
  std::uint64_t value = mix64(n ^ mix64(salt));
  std::string id(13, '0');
  for (int i = 12; i >= 0; --i) {
    id[i] = "0123456789abcdefghijklmnopqrstuvwxyz"[value % 36];
    value /= 36;
  }
  return id;
}

std::string uuid_like_id(std::uint64_t salt, std::uint64_t n) {
  std::uint64_t hi = mix64(n ^ mix64(salt));
  std::uint64_t lo = n;
  char text[40];
  std::snprintf(text, sizeof text, "%08x-%04x-4%03x-8%03x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xFFFF), static_cast<unsigned>(hi & 0xFFF),
                static_cast<unsigned>((hi >> 4) & 0xFFF),
                static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFull));
  return text;
}

std::string hex16(std::uint64_t value) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
  return text;
}

}  // namespace pipehost::emulator
