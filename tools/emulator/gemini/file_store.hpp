// Files known to the Gemini Files API: uploads and generated batch outputs. The bytes live on
// disk at STATE/files/<id>.bin; deleting a file through the API hides it from the API but keeps
// the bytes until the emulator exits, so tests can still inspect what a client sent.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "emulator/util/time_format.hpp"

namespace pipehost::emulator {

struct StoredFile {
  std::string id;  // without "files/"
  std::string display_name;
  std::string mime_type;
  std::uint64_t size = 0;
  WallClock::time_point created;
  std::string sha256;  // raw digest bytes
  bool generated = false;
  std::filesystem::path path;
};

class FileStore {
 public:
  explicit FileStore(std::filesystem::path directory);

  const std::filesystem::path& directory() const { return directory_; }
  std::filesystem::path path_for(const std::string& id) const { return directory_ / (id + ".bin"); }
  /// A fresh id (or the client's own when given and free; throws HttpError 409 when taken).
  std::string reserve_id(const std::string& wanted = {});
  void add(StoredFile file);
  std::optional<StoredFile> get(const std::string& id) const;
  bool remove(const std::string& id);
  /// Live files, oldest first.
  std::vector<StoredFile> list() const;

 private:
  std::filesystem::path directory_;
  mutable std::mutex mutex_;
  std::uint64_t next_ = 1;
  std::map<std::string, StoredFile> files_;
  std::vector<std::string> order_;
  std::map<std::string, bool> reserved_;
};

/// The File resource JSON (sizeBytes as a string, RFC 3339 times, uri on the emulator).
boost::json::object file_resource(const StoredFile& file, const std::string& base_url);

/// "files/abc" or "abc" → "abc".
std::string strip_files_prefix(std::string_view name);

}  // namespace pipehost::emulator
