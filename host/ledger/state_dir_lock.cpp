#include "ledger/state_dir_lock.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/file.h>
#include <system_error>
#include <unistd.h>

namespace pipehost::ledger {
namespace {

std::string read_holder(int fd) {
  char buffer[32] = {};
  ssize_t n = ::pread(fd, buffer, sizeof buffer - 1, 0);
  std::string pid = n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : "";
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
  return pid.empty() ? "unknown" : pid;
}

}  // namespace

StateDirLock::StateDirLock(const std::filesystem::path& state_dir) {
  std::error_code error;
  std::filesystem::create_directories(state_dir, error);
  if (error)
    throw std::runtime_error("cannot create state dir " + state_dir.string() + ": " + error.message());
  auto file = state_dir / "lock";
  fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw std::runtime_error("cannot open " + file.string() + ": " + std::strerror(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    int lock_error = errno;
    std::string holder = read_holder(fd_);
    ::close(fd_);
    if (lock_error == EWOULDBLOCK)
      throw StateDirBusy("state dir " + state_dir.string() + " is in use by another pipehost (pid " + holder +
                         "); wait for it to finish, or give this run another --state-dir");
    throw std::runtime_error("cannot lock " + file.string() + ": " + std::strerror(lock_error));
  }
  // The pid is only for the message above; the flock is what excludes.
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd_, 0) == 0) (void)::pwrite(fd_, pid.data(), pid.size(), 0);
}

StateDirLock::~StateDirLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace pipehost::ledger
