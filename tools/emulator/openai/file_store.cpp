#include "emulator/openai/file_store.hpp"

#include <algorithm>

#include "emulator/openai/ids.hpp"

namespace pipehost::emulator::openai {

namespace {
constexpr auto kBatchFileLifetime = std::chrono::hours(24 * 30);
}

FileStore::FileStore(std::filesystem::path directory) : directory_(std::move(directory)) {
  std::filesystem::create_directories(directory_);
}

std::string FileStore::new_id() {
  std::lock_guard lock(mutex_);
  return "file-" + base62_id(0xF11E0A1, next_++, 22);
}

void FileStore::add(File file) {
  std::lock_guard lock(mutex_);
  if (!files_.count(file.id)) order_.push_back(file.id);
  files_[file.id] = std::move(file);
}

std::optional<File> FileStore::get(const std::string& id) const {
  std::lock_guard lock(mutex_);
  auto it = files_.find(id);
  if (it == files_.end()) return std::nullopt;
  return it->second;
}

bool FileStore::remove(const std::string& id) {
  std::lock_guard lock(mutex_);
  if (!files_.erase(id)) return false;
  std::erase(order_, id);
  return true;
}

std::vector<File> FileStore::list() const {
  std::lock_guard lock(mutex_);
  std::vector<File> out;
  out.reserve(order_.size());
  for (const auto& id : order_) out.push_back(files_.at(id));
  return out;
}

boost::json::object file_object(const File& file) {
  boost::json::object out;
  out["id"] = file.id;
  out["object"] = "file";
  out["bytes"] = file.bytes;
  out["created_at"] = unix_seconds(file.created);
  out["filename"] = file.filename;
  out["purpose"] = file.purpose;
  out["status"] = "processed";
  out["status_details"] = nullptr;
  if (file.purpose.rfind("batch", 0) == 0) {
    out["expires_at"] = unix_seconds(file.created + kBatchFileLifetime);
  } else {
    out["expires_at"] = nullptr;
  }
  return out;
}

}  // namespace pipehost::emulator::openai
