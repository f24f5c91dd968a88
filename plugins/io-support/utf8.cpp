#include "io_support/utf8.hpp"

#include <cstdint>
#include <cstring>

namespace pipehost::io {
namespace {

bool in(unsigned char byte, unsigned char low, unsigned char high) {
  return byte >= low && byte <= high;
}

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
  unsigned char lead = p[0];
  if (lead < 0x80) return 1;
  // Bounds of the second byte and the number of continuation bytes, per Unicode Table 3-7.
  unsigned char second_low = 0x80, second_high = 0xBF;
  std::size_t length;
  if (in(lead, 0xC2, 0xDF)) {
    length = 2;
  } else if (lead == 0xE0) {
    length = 3, second_low = 0xA0;
  } else if (in(lead, 0xE1, 0xEC) || in(lead, 0xEE, 0xEF)) {
    length = 3;
  } else if (lead == 0xED) {
    length = 3, second_high = 0x9F;  // no UTF-16 surrogates
  } else if (lead == 0xF0) {
    length = 4, second_low = 0x90;  // no overlong 4-byte forms
  } else if (in(lead, 0xF1, 0xF3)) {
    length = 4;
  } else if (lead == 0xF4) {
    length = 4, second_high = 0x8F;  // nothing above U+10FFFF
  } else {
    bad_length = 1;  // continuation byte without a lead, C0/C1 (overlong), F5..FF
    return 0;
  }
  std::size_t i = 1;
  for (; i < length; ++i) {
    if (p + i >= end) break;
    unsigned char low = i == 1 ? second_low : 0x80, high = i == 1 ? second_high : 0xBF;
    if (!in(p[i], low, high)) break;
  }
  if (i == length) return length;
  bad_length = i;  // the lead plus the continuation bytes that fit: one maximal subpart
  return 0;
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
