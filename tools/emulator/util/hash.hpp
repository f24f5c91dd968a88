// Deterministic, fast, non-cryptographic hashing and pseudo-random numbers. Answers and ids must
// be identical across runs and machines, so nothing here depends on std::hash or random_device.
#pragma once

#include <cstdint>
#include <string_view>

namespace pipehost::emulator {

/// A 64-bit streaming hash (8 bytes per step): fast enough to hash a 350 MB batch input.
class ContentHash {
 public:
  void update(std::string_view bytes);
  /// Marks a field boundary so ("ab","c") and ("a","bc") hash differently.
  void separator();
  std::uint64_t value() const;

 private:
  std::uint64_t state_ = 0x243F6A8885A308D3ull;
  std::uint64_t length_ = 0;
};

std::uint64_t hash_of(std::string_view bytes);

/// SplitMix64: a tiny seedable generator with good statistical quality.
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next();
  /// Uniform in [0, 1).
  double uniform();
  /// Uniform in [0, n); n must be > 0.
  std::uint64_t below(std::uint64_t n);
  /// True with probability p (p <= 0 never draws a number, so a disabled fault changes nothing).
  bool chance(double p);

 private:
  std::uint64_t state_;
};

/// The SplitMix64 finaliser: a bijection on 64-bit values.
std::uint64_t mix64(std::uint64_t value);

}  // namespace pipehost::emulator
