#include "emulator/util/hash.hpp"

#include <bit>
#include <cstring>

namespace pipehost::emulator {

namespace {
constexpr std::uint64_t kMultiplier = 0x9E3779B97F4A7C15ull;
}

void ContentHash::update(std::string_view bytes) {
  const char* p = bytes.data();
  std::size_t n = bytes.size();
  length_ += n;
  while (n >= 8) {
    std::uint64_t word;
    std::memcpy(&word, p, 8);
    state_ = std::rotl(state_ ^ word, 29) * kMultiplier;
    p += 8;
    n -= 8;
  }
  for (; n > 0; --n, ++p) state_ = (state_ ^ static_cast<unsigned char>(*p)) * 0x100000001B3ull;
}

void ContentHash::separator() {
  state_ = mix64(state_ ^ length_ ^ 0xA5A5A5A5A5A5A5A5ull);
}

std::uint64_t ContentHash::value() const {
  return mix64(state_ ^ length_);
}

std::uint64_t hash_of(std::string_view bytes) {
  ContentHash hash;
  hash.update(bytes);
  return hash.value();
}

std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

std::uint64_t SplitMix64::next() {
  state_ += kMultiplier;
  return mix64(state_);
}

double SplitMix64::uniform() {
  return static_cast<double>(next() >> 11) * 0x1.0p-53;
}

std::uint64_t SplitMix64::below(std::uint64_t n) {
  return n == 0 ? 0 : next() % n;
}

bool SplitMix64::chance(double p) {
  if (p <= 0) return false;
  return uniform() < p;
}

}  // namespace pipehost::emulator
