#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace pipehost::emulator {

/// Incremental SHA-256 (OpenSSL EVP), so an upload is hashed as it streams to disk.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(std::string_view bytes);
  /// The raw 32-byte digest; the object starts over afterwards.
  std::string finish();
  void restart();

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

std::string base64_encode(std::string_view bytes);
/// SHA-256 of a whole file, read in chunks; throws when it cannot be read.
std::string sha256_of_file(const std::string& path);

}  // namespace pipehost::emulator
