// An output file that appears under its final name only when complete: bytes go to
// `<path>.tmp-<pid>` in the same folder (so the rename stays on one file system), and commit()
// flushes, fsyncs and renames it into place. Dropped without commit() (error, crash of the stage,
// cancelled run), it removes the temporary file, so a half-written file never carries the final name.
// A killed process cannot clean up: the next AtomicOutputFile for the same path removes temporary
// files whose pid is gone.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace pipehost::io {

class AtomicOutputFile {
 public:
  /// Creates the parent folder when missing and the temporary file. Throws std::runtime_error naming
  /// the path on failure.
  explicit AtomicOutputFile(std::string path);
  /// Removes the temporary file unless commit() succeeded.
  ~AtomicOutputFile();
  AtomicOutputFile(const AtomicOutputFile&) = delete;
  AtomicOutputFile& operator=(const AtomicOutputFile&) = delete;

  /// The write buffer: append to it, then call flush_if_full(). Formatting straight into it avoids a
  /// copy per value.
  std::string& buffer() { return buffer_; }
  /// Writes the buffer out once it holds a chunk worth a system call.
  void flush_if_full() {
    if (buffer_.size() >= kChunkBytes) flush();
  }
  void append(std::string_view bytes) {
    buffer_.append(bytes);
    flush_if_full();
  }
  /// Writes the buffer out.
  void flush();
  /// Flushes, fsyncs, renames the temporary file to the final path and fsyncs the folder.
  void commit();

  const std::string& path() const { return path_; }
  const std::string& temp_path() const { return temp_path_; }

 private:
  static constexpr std::size_t kChunkBytes = 1 << 20;

  std::string path_;
  std::string temp_path_;
  std::string buffer_;
  int fd_ = -1;
  bool committed_ = false;
};

}  // namespace pipehost::io
