#include "braintrust_events/append_file.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <stdexcept>
#include <sys/file.h>
#include <unistd.h>

namespace pipehost::braintrust {

namespace {

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& what, int error) {
  throw std::runtime_error(path.string() + ": " + what + ": " + std::strerror(error));
}

}  // namespace

AppendFile::AppendFile(std::filesystem::path path) : path_(std::move(path)) {
  if (path_.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(path_.parent_path(), ec);
    if (ec)
      throw std::runtime_error(path_.parent_path().string() + ": cannot create folder: " + ec.message());
  }
  fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) fail(path_, "cannot open for appending", errno);
}

AppendFile::~AppendFile() {
  if (fd_ >= 0) ::close(fd_);
}

void AppendFile::write_all(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t written = ::write(fd_, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      fail(path_, "write failed", errno);
    }
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
}

void AppendFile::append_line(std::string_view line) {
  std::string buffer;
  buffer.reserve(line.size() + 1);
  buffer.append(line);
  buffer.push_back('\n');
  write_all(buffer);
}

void AppendFile::append_lines(const std::vector<std::string_view>& lines) {
  std::string buffer;
  for (auto line : lines) {
    buffer.append(line);
    buffer.push_back('\n');
    if (buffer.size() >= (1u << 20)) {  // bounded buffer for very large sets
      write_all(buffer);
      buffer.clear();
    }
  }
  write_all(buffer);
}

void AppendFile::sync() {
  if (::fsync(fd_) != 0) fail(path_, "fsync failed", errno);
}

bool AppendFile::try_lock() {
  return ::flock(fd_, LOCK_EX | LOCK_NB) == 0;
}

void for_each_line(const std::filesystem::path& path, const std::function<void(std::string_view)>& on_line) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, "cannot open for reading", errno);
  std::string line;
  while (std::getline(in, line)) on_line(line);
  if (in.bad()) fail(path, "read failed", errno);
}

void sync_directory(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail(dir, "cannot open folder", errno);
  int result = ::fsync(fd);
  int error = errno;
  ::close(fd);
  if (result != 0) fail(dir, "fsync failed", error);
}

}  // namespace pipehost::braintrust
