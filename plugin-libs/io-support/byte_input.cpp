#include "io_support/byte_input.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace pipehost::io {

FileInput::FileInput(std::string path) : path_(std::move(path)) {
  fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) throw std::runtime_error("cannot open " + path_ + ": " + std::strerror(errno));
  struct stat info {};
  if (::fstat(fd_, &info) == 0 && S_ISDIR(info.st_mode)) {
    ::close(fd_);
    fd_ = -1;
    throw std::runtime_error("cannot read " + path_ + ": it is a directory");
  }
  // Readers go front to back once per pass: let the kernel read ahead generously.
  (void)::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
}

FileInput::~FileInput() {
  if (fd_ >= 0) ::close(fd_);
}

std::size_t FileInput::read(char* data, std::size_t size) {
  for (;;) {
    ssize_t n = ::read(fd_, data, size);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno != EINTR) throw std::runtime_error("cannot read " + path_ + ": " + std::strerror(errno));
  }
}

std::size_t MemoryInput::read(char* data, std::size_t size) {
  std::size_t n = std::min(size, rest_.size());
  if (n > 0) std::memcpy(data, rest_.data(), n);
  rest_.remove_prefix(n);
  return n;
}

}  // namespace pipehost::io
