#include "custom_id_book.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <unistd.h>

#include "custom_id.hpp"
#include "pipehost/value.hpp"

namespace pipehost::anthropic {

Status CustomIdBook::open(std::string path) {
  std::lock_guard lock(mutex_);
  path_ = std::move(path);
  keys_.clear();
  torn_end_ = false;
  std::ifstream in(path_, std::ios::binary);
  if (!in) return Status::ok();  // nothing recorded yet
  std::string line;
  while (std::getline(in, line)) {
    torn_end_ = in.eof();  // the last line had no '\n'
    Value entry;
    std::string error;
    if (!parse_json(line, entry, error) || !entry.is_object()) continue;  // a line torn by a kill
    const Value* id = entry.find("id");
    const Value* key = entry.find("key");
    if (id && key && id->is_string() && key->is_string()) keys_[id->as_string()] = key->as_string();
  }
  return Status::ok();
}

Status CustomIdBook::record(const std::vector<std::pair<std::string, std::string>>& entries) {
  std::lock_guard lock(mutex_);
  std::string lines = torn_end_ ? "\n" : "";
  std::vector<const std::pair<std::string, std::string>*> added;
  for (const auto& entry : entries) {
    auto it = keys_.find(entry.first);
    if (it != keys_.end()) {
      if (it->second != entry.second)
        return Status::fatal("the row keys '" + it->second.substr(0, 80) + "...' and '" +
                             entry.second.substr(0, 80) + "...' have the same custom_id " + entry.first +
                             "; shorten the key column's values");
      continue;
    }
    Value line = Value::object();
    line.set("id", entry.first);
    line.set("key", entry.second);
    lines += to_json(line);
    lines += '\n';
    added.push_back(&entry);
  }
  if (added.empty()) return Status::ok();
  int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return Status::fatal("cannot open " + path_ + ": " + std::strerror(errno));
  const char* data = lines.data();
  std::size_t left = lines.size();
  while (left > 0) {
    ssize_t n = ::write(fd, data, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int saved = errno;
      ::close(fd);
      return Status::fatal("cannot write " + path_ + ": " + std::strerror(saved));
    }
    data += n;
    left -= static_cast<std::size_t>(n);
  }
  // On disk before the batch exists: a crash after the create must still be able to read its results.
  if (::fsync(fd) != 0) {
    int saved = errno;
    ::close(fd);
    return Status::fatal("cannot sync " + path_ + ": " + std::strerror(saved));
  }
  ::close(fd);
  torn_end_ = false;
  for (const auto* entry : added) keys_[entry->first] = entry->second;
  return Status::ok();
}

bool CustomIdBook::find(const std::string& custom_id, std::string& key) const {
  std::lock_guard lock(mutex_);
  auto it = keys_.find(custom_id);
  if (it == keys_.end()) return false;
  key = it->second;
  return true;
}

std::size_t CustomIdBook::size() const {
  std::lock_guard lock(mutex_);
  return keys_.size();
}

bool key_of_custom_id(const std::string& custom_id, const CustomIdBook& book, std::string& key) {
  if (is_hashed_custom_id(custom_id)) return book.find(custom_id, key);
  return decode_custom_id(custom_id, key);
}

}  // namespace pipehost::anthropic
