#include "body_source.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include "multipart_body.hpp"

namespace pipehost::net {
namespace {

constexpr std::size_t kFilePiece = 256 * 1024;

class MemoryBody final : public BodySource {
 public:
  explicit MemoryBody(std::string_view body) : body_(body) {}
  explicit MemoryBody(std::string owned) : owned_(std::move(owned)), body_(owned_) {}
  std::optional<std::uint64_t> length() const override { return body_.size(); }
  Status next(std::string_view& piece) override {
    piece = done_ ? std::string_view{} : std::string_view(body_);
    done_ = true;
    return Status::ok();
  }
  Status rewind() override {
    done_ = false;
    return Status::ok();
  }
  bool replayable() const override { return true; }

 private:
  std::string owned_;
  std::string_view body_;
  bool done_ = false;
};

class FileBody final : public BodySource {
 public:
  ~FileBody() override {
    if (fd_ >= 0) ::close(fd_);
  }

  Status open(const std::string& path, std::uint64_t offset, std::optional<std::uint64_t> length) {
    path_ = path;
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0)
      return Status::fatal("cannot open request body file '" + path + "': " + std::strerror(errno));
    struct stat info {};
    if (::fstat(fd_, &info) != 0) {
      return Status::fatal("cannot stat request body file '" + path + "': " + std::strerror(errno));
    }
    auto size = static_cast<std::uint64_t>(info.st_size);
    if (offset > size) {
      return Status::fatal("request body file '" + path + "' has " + std::to_string(size) +
                           " bytes, less than the offset " + std::to_string(offset));
    }
    std::uint64_t available = size - offset;
    if (length && *length > available) {
      return Status::fatal("request body file '" + path + "' has only " + std::to_string(available) +
                           " bytes after offset " + std::to_string(offset) + ", " + std::to_string(*length) +
                           " requested");
    }
    offset_ = offset;
    length_ = length.value_or(available);
    ::posix_fadvise(fd_, static_cast<off_t>(offset), static_cast<off_t>(length_), POSIX_FADV_SEQUENTIAL);
    buffer_.resize(kFilePiece);
    return Status::ok();
  }

  std::optional<std::uint64_t> length() const override { return length_; }

  Status next(std::string_view& piece) override {
    std::uint64_t left = length_ - sent_;
    if (left == 0) {
      piece = {};
      return Status::ok();
    }
    std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(left, buffer_.size()));
    ssize_t got;
    do {
      got = ::pread(fd_, buffer_.data(), want, static_cast<off_t>(offset_ + sent_));
    } while (got < 0 && errno == EINTR);
    if (got < 0)
      return Status::fatal("cannot read request body file '" + path_ + "': " + std::strerror(errno));
    if (got == 0) {
      return Status::fatal("request body file '" + path_ + "' shrank while being sent (" +
                           std::to_string(sent_) + " of " + std::to_string(length_) + " bytes read)");
    }
    sent_ += static_cast<std::uint64_t>(got);
    piece = std::string_view(buffer_.data(), static_cast<std::size_t>(got));
    return Status::ok();
  }

  Status rewind() override {
    sent_ = 0;
    return Status::ok();
  }
  bool replayable() const override { return true; }

 private:
  std::string path_;
  int fd_ = -1;
  std::uint64_t offset_ = 0;
  std::uint64_t length_ = 0;
  std::uint64_t sent_ = 0;
  std::vector<char> buffer_;
};

class ProducerBody final : public BodySource {
 public:
  ProducerBody(const std::function<Status(std::string&)>& producer, std::optional<std::uint64_t> length)
      : producer_(producer), length_(length) {}

  std::optional<std::uint64_t> length() const override { return length_; }

  Status next(std::string_view& piece) override {
    started_ = true;
    piece = {};
    if (finished_) return Status::ok();
    chunk_.clear();
    Status status = producer_(chunk_);
    if (!status.is_ok()) return status.with_context("request body producer");
    produced_ += chunk_.size();
    if (length_ && produced_ > *length_) {
      return Status::fatal("request body producer gave more than the announced " + std::to_string(*length_) +
                           " bytes");
    }
    if (chunk_.empty()) {
      finished_ = true;
      if (length_ && produced_ != *length_) {
        return Status::fatal("request body producer ended after " + std::to_string(produced_) + " bytes, " +
                             std::to_string(*length_) + " were announced");
      }
    }
    piece = chunk_;
    return Status::ok();
  }

  Status rewind() override {
    if (started_) return Status::fatal("the request body comes from a producer and cannot be sent twice");
    return Status::ok();
  }
  bool replayable() const override { return !started_; }

 private:
  const std::function<Status(std::string&)>& producer_;
  std::optional<std::uint64_t> length_;
  std::string chunk_;
  std::uint64_t produced_ = 0;
  bool started_ = false;
  bool finished_ = false;
};

}  // namespace

std::unique_ptr<BodySource> memory_body(std::string_view bytes) {
  return std::make_unique<MemoryBody>(bytes);
}

std::unique_ptr<BodySource> owned_memory_body(std::string bytes) {
  return std::make_unique<MemoryBody>(std::move(bytes));
}

Status file_body(const std::string& path, std::uint64_t offset, std::optional<std::uint64_t> length,
                 std::unique_ptr<BodySource>& out) {
  auto file = std::make_unique<FileBody>();
  Status status = file->open(path, offset, length);
  if (!status.is_ok()) return status;
  out = std::move(file);
  return Status::ok();
}

Status BodySource::open(const HttpRequest& request, std::unique_ptr<BodySource>& out) {
  int sources = (request.body.empty() ? 0 : 1) + (request.body_file.empty() ? 0 : 1) +
                (request.body_producer ? 1 : 0) + (request.multipart.empty() ? 0 : 1);
  if (sources > 1) {
    return Status::fatal("a request body must come from one of body, body_file, body_producer, multipart");
  }
  if (!request.multipart.empty()) return multipart_body(request.multipart, out);
  if (!request.body_file.empty()) {
    return file_body(request.body_file, request.body_file_offset, request.body_file_length, out);
  }
  if (request.body_producer) {
    out = std::make_unique<ProducerBody>(request.body_producer, request.body_producer_length);
  } else {
    out = memory_body(request.body);
  }
  return Status::ok();
}

}  // namespace pipehost::net
