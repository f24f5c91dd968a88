// Files of the OpenAI Files API: uploads and the output/error files of batches. The bytes live on
// disk at STATE/openai/files/<id>.jsonl; deleting a file through the API hides it but keeps the
// bytes until the emulator exits, so tests can still inspect what a client sent. Separate from
// the Gemini files: each API lists only its own.
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

namespace pipehost::emulator::openai {

struct File {
  std::string id;  // "file-..."
  std::string filename;
  std::string purpose;  // "batch", "batch_output", ...
  std::uint64_t bytes = 0;
  WallClock::time_point created;
  std::filesystem::path path;
};

class FileStore {
 public:
  explicit FileStore(std::filesystem::path directory);

  /// A fresh "file-..." id and the path its bytes go to.
  std::string new_id();
  std::filesystem::path path_for(const std::string& id) const { return directory_ / (id + ".jsonl"); }
  void add(File file);
  std::optional<File> get(const std::string& id) const;
  bool remove(const std::string& id);
  /// Live files, oldest first.
  std::vector<File> list() const;

 private:
  std::filesystem::path directory_;
  mutable std::mutex mutex_;
  std::uint64_t next_ = 1;
  std::map<std::string, File> files_;
  std::vector<std::string> order_;
};

/// The File object: id, object, bytes, created_at, filename, purpose, status ("processed"),
/// status_details (null), expires_at (30 days after creation for batch files, null otherwise).
boost::json::object file_object(const File& file);

}  // namespace pipehost::emulator::openai
