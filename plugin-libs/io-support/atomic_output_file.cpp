#include "io_support/atomic_output_file.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <stdexcept>
#include <system_error>
#include <unistd.h>

namespace pipehost::io {
namespace {

[[noreturn]] void fail(const std::string& what, const std::string& path, int error) {
  throw std::runtime_error("cannot " + what + " " + path + ": " + std::strerror(error));
}

/// Removes `<path>.tmp-<pid>` files of processes that no longer exist: a run killed before it could
/// rename its output leaves one, and nothing else would ever clean it up. Files of live processes
/// (another run writing the same path) are left alone.
void remove_stale_temp_files(const std::filesystem::path& final_path) {
  auto folder = final_path.has_parent_path() ? final_path.parent_path() : std::filesystem::path(".");
  const std::string prefix = final_path.filename().string() + ".tmp-";
  try {
    for (const auto& entry : std::filesystem::directory_iterator(folder)) {
      auto name = entry.path().filename().string();
      if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
      auto digits = name.substr(prefix.size());
      if (digits.find_first_not_of("0123456789") != std::string::npos || digits.size() > 9) continue;
      auto pid = static_cast<pid_t>(std::stol(digits));
      if (pid == ::getpid() || ::kill(pid, 0) == 0 || errno != ESRCH) continue;
      std::filesystem::remove(entry.path());
    }
  } catch (const std::filesystem::filesystem_error&) {
    // Best effort: a folder we cannot list or a file we cannot remove only means litter stays.
  }
}

}  // namespace

AtomicOutputFile::AtomicOutputFile(std::string path) : path_(std::move(path)) {
  std::filesystem::path final_path(path_);
  if (final_path.has_parent_path()) {
    std::error_code error;
    std::filesystem::create_directories(final_path.parent_path(), error);
    if (error) {
      throw std::runtime_error("cannot create folder " + final_path.parent_path().string() + ": " +
                               error.message());
    }
  }
  remove_stale_temp_files(final_path);
  temp_path_ = path_ + ".tmp-" + std::to_string(::getpid());
  fd_ = ::open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd_ < 0) fail("create", temp_path_, errno);
  buffer_.reserve(kChunkBytes + kChunkBytes / 4);
}

AtomicOutputFile::~AtomicOutputFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(temp_path_.c_str());
}

void AtomicOutputFile::flush() {
  if (fd_ < 0) throw std::logic_error("write to " + path_ + " after commit");
  const char* p = buffer_.data();
  std::size_t left = buffer_.size();
  while (left > 0) {
    ssize_t n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("write", temp_path_, errno);
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  buffer_.clear();
}

void AtomicOutputFile::commit() {
  flush();
  if (::fsync(fd_) != 0) fail("fsync", temp_path_, errno);
  int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) fail("close", temp_path_, errno);
  if (::rename(temp_path_.c_str(), path_.c_str()) != 0) fail("rename " + temp_path_ + " to", path_, errno);
  committed_ = true;
  // Make the rename itself durable: fsync the folder entry.
  std::filesystem::path folder = std::filesystem::path(path_).parent_path();
  if (folder.empty()) folder = ".";
  int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    (void)::fsync(dir);
    ::close(dir);
  }
}

}  // namespace pipehost::io
