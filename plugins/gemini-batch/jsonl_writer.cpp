#include "jsonl_writer.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <unistd.h>

namespace pipehost::gemini {
namespace {

constexpr std::size_t kFlushAt = 4 * 1024 * 1024;

class OutputFile {
 public:
  explicit OutputFile(const std::string& path) : path_(path) {
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  }
  ~OutputFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool is_open() const { return fd_ >= 0; }
  Status write(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Status::fatal("cannot write " + path_ + ": " + std::strerror(errno));
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return Status::ok();
  }
  Status close() {
    int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) return Status::fatal("cannot write " + path_ + ": " + std::strerror(errno));
    return Status::ok();
  }

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace

Status write_jsonl(RequestEncoder& encoder, const std::vector<Request>& requests, const std::string& path,
                   std::uint64_t& bytes) {
  OutputFile file(path);
  if (!file.is_open()) return Status::fatal("cannot create " + path + ": " + std::strerror(errno));
  std::string buffer;
  buffer.reserve(kFlushAt + 256 * 1024);
  bytes = 0;
  for (const auto& request : requests) {
    try {
      encoder.append_line(buffer, request);
    } catch (const std::exception& e) {
      return Status::fatal("request for key '" + request.key + "': " + e.what());
    }
    if (buffer.size() >= kFlushAt) {
      Status written = file.write(buffer);
      if (!written.is_ok()) return written;
      bytes += buffer.size();
      buffer.clear();
    }
  }
  Status written = file.write(buffer);
  if (!written.is_ok()) return written;
  bytes += buffer.size();
  return file.close();
}

}  // namespace pipehost::gemini
