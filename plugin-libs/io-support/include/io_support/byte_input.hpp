// Where a reader's bytes come from: a file (the plugins) or memory (fuzzers, tests).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace pipehost::io {

/// A forward-only byte stream.
class ByteInput {
 public:
  virtual ~ByteInput() = default;
  /// Reads up to `size` bytes into `data`. Returns 0 only at the end of the input. Throws
  /// std::runtime_error (with the file name) on an I/O error.
  virtual std::size_t read(char* data, std::size_t size) = 0;
};

/// A file read with plain read(2) calls (no stdio buffering: the caller has its own buffer).
class FileInput final : public ByteInput {
 public:
  /// Opens `path`; throws std::runtime_error("cannot open PATH: reason") on failure.
  explicit FileInput(std::string path);
  ~FileInput() override;
  FileInput(const FileInput&) = delete;
  FileInput& operator=(const FileInput&) = delete;

  std::size_t read(char* data, std::size_t size) override;

 private:
  std::string path_;
  int fd_ = -1;
};

/// Bytes already in memory (not copied: they must outlive the input).
class MemoryInput final : public ByteInput {
 public:
  explicit MemoryInput(std::string_view bytes) : rest_(bytes) {}
  std::size_t read(char* data, std::size_t size) override;

 private:
  std::string_view rest_;
};

}  // namespace pipehost::io
