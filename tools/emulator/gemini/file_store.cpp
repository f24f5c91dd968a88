#include "emulator/gemini/file_store.hpp"

#include <algorithm>

#include "emulator/server/http_message.hpp"
#include "emulator/util/ids.hpp"
#include "emulator/util/sha256.hpp"

namespace pipehost::emulator {

FileStore::FileStore(std::filesystem::path directory) : directory_(std::move(directory)) {
  std::filesystem::create_directories(directory_);
}

std::string FileStore::reserve_id(const std::string& wanted) {
  std::lock_guard lock(mutex_);
  if (!wanted.empty()) {
    bool valid = wanted.size() <= 40 && std::all_of(wanted.begin(), wanted.end(), [](char c) {
                   return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
                 });
    if (!valid) {
      throw HttpError(400, "INVALID_ARGUMENT",
                      "file name must be at most 40 characters of lowercase letters, digits and dashes");
    }
    if (reserved_.count(wanted))
      throw HttpError(409, "ALREADY_EXISTS", "File files/" + wanted + " already exists.");
    reserved_[wanted] = true;
    return wanted;
  }
  for (;;) {
    std::string id = base36_id(0xF11E5, next_++);
    if (!reserved_.count(id)) {
      reserved_[id] = true;
      return id;
    }
  }
}

void FileStore::add(StoredFile file) {
  std::lock_guard lock(mutex_);
  reserved_[file.id] = true;
  if (!files_.count(file.id)) order_.push_back(file.id);
  files_[file.id] = std::move(file);
}

std::optional<StoredFile> FileStore::get(const std::string& id) const {
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

std::vector<StoredFile> FileStore::list() const {
  std::lock_guard lock(mutex_);
  std::vector<StoredFile> out;
  for (const auto& id : order_) out.push_back(files_.at(id));
  return out;
}

boost::json::object file_resource(const StoredFile& file, const std::string& base_url) {
  boost::json::object out;
  out["name"] = "files/" + file.id;
  if (!file.display_name.empty()) out["displayName"] = file.display_name;
  out["mimeType"] = file.mime_type;
  out["sizeBytes"] = std::to_string(file.size);
  out["createTime"] = rfc3339(file.created);
  out["updateTime"] = rfc3339(file.created);
  out["expirationTime"] = rfc3339(file.created + std::chrono::hours(48));
  out["sha256Hash"] = base64_encode(file.sha256);
  out["uri"] = base_url + "/v1beta/files/" + file.id;
  out["downloadUri"] = base_url + "/download/v1beta/files/" + file.id + ":download?alt=media";
  out["state"] = "ACTIVE";
  out["source"] = file.generated ? "GENERATED" : "UPLOADED";
  return out;
}

std::string strip_files_prefix(std::string_view name) {
  if (name.rfind("files/", 0) == 0) name.remove_prefix(6);
  return std::string(name);
}

}  // namespace pipehost::emulator
