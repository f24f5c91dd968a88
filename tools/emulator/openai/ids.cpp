#include "emulator/openai/ids.hpp"

#include "emulator/util/hash.hpp"
#include "emulator/util/ids.hpp"

namespace pipehost::emulator::openai {

std::string base62_id(std::uint64_t salt, std::uint64_t n, std::size_t length) {
  static constexpr char kDigits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  SplitMix64 random(mix64(n ^ mix64(salt)));
  std::string id(length, '0');
  for (char& c : id) c = kDigits[random.below(62)];
  return id;
}

std::string hex32(std::uint64_t value) {
  return hex16(mix64(value ^ 0x0A1)) + hex16(value);
}

std::int64_t unix_seconds(WallClock::time_point when) {
  return std::chrono::duration_cast<std::chrono::seconds>(when.time_since_epoch()).count();
}

}  // namespace pipehost::emulator::openai
