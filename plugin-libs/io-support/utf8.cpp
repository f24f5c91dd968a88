#include "io_support/utf8.hpp"

#include <cstdint>
#include <cstring>

#include "pipehost/value.hpp"

namespace pipehost::io {
namespace {

/// True when the 8 * N bytes at `p` are all ASCII (the fast path: most text data is).
template <int N>
bool all_ascii(const unsigned char* p) {
  std::uint64_t any = 0;
  for (int i = 0; i < N; ++i) {
    std::uint64_t word;
    std::memcpy(&word, p + 8 * i, sizeof word);
    any |= word;
  }
  return (any & 0x8080808080808080ull) == 0;
}

}  // namespace

std::size_t utf8_sequence_length(const unsigned char* p, const unsigned char* end, std::size_t& bad_length) {
  // The SDK's rule (the one every JSON writer in pipehost repairs with), so CSV and JSON agree.
  std::string_view text(reinterpret_cast<const char*>(p), static_cast<std::size_t>(end - p));
  return pipehost::detail::utf8_sequence_length(text, 0, bad_length);
}

std::size_t find_invalid_utf8(std::string_view text) {
  auto* begin = reinterpret_cast<const unsigned char*>(text.data());
  auto* end = begin + text.size();
  auto* p = begin;
  while (p < end) {
    if (end - p >= 32 && all_ascii<4>(p)) {
      p += 32;
      continue;
    }
    if (end - p >= 8 && all_ascii<1>(p)) {
      p += 8;
      continue;
    }
    if (*p < 0x80) {
      ++p;
      continue;
    }
    std::size_t bad = 0;
    std::size_t length = utf8_sequence_length(p, end, bad);
    if (length == 0) return static_cast<std::size_t>(p - begin);
    p += length;
  }
  return std::string_view::npos;
}

void append_utf8_replacing_invalid(std::string& out, std::string_view text) {
  auto* p = reinterpret_cast<const unsigned char*>(text.data());
  auto* end = p + text.size();
  while (p < end) {
    // Copy the longest valid run in one go.
    auto* run = p;
    std::size_t bad = 0;
    while (p < end) {
      std::size_t length = utf8_sequence_length(p, end, bad);
      if (length == 0) break;
      p += length;
    }
    out.append(reinterpret_cast<const char*>(run), static_cast<std::size_t>(p - run));
    if (p < end) {
      out.append(kReplacementCharacter);
      p += bad;
    }
  }
}

bool replace_invalid_utf8(std::string& text) {
  if (find_invalid_utf8(text) == std::string_view::npos) return false;
  std::string repaired;
  repaired.reserve(text.size() + 8);
  append_utf8_replacing_invalid(repaired, text);
  text = std::move(repaired);
  return true;
}

std::size_t count_characters(std::string_view text) {
  auto* p = reinterpret_cast<const unsigned char*>(text.data());
  auto* end = p + text.size();
  std::size_t count = 0;
  while (p < end) {
    std::size_t bad = 0;
    std::size_t length = utf8_sequence_length(p, end, bad);
    p += length != 0 ? length : bad;
    ++count;
  }
  return count;
}

}  // namespace pipehost::io
