// Gemini Files API: resumable upload (start / upload / finalize / query / cancel), get, list,
// delete and download (`:download?alt=media`, with Range support).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "emulator/app/emulator_context.hpp"
#include "emulator/gemini/file_store.hpp"
#include "emulator/server/http_message.hpp"
#include "emulator/util/sha256.hpp"

namespace pipehost::emulator {

class FilesApi {
 public:
  FilesApi(EmulatorContext& context, FileStore& files);

  Response start_upload(Request& request, const std::string& version);
  Response upload_chunk(Request& request);  // needs ?upload_id=
  Response get(const std::string& id);
  Response list(const Request& request);
  Response remove(const std::string& id);
  Response download(const Request& request, const std::string& id);

 private:
  struct UploadSession {
    std::mutex mutex;
    std::string upload_id;
    std::string file_id;
    std::string display_name;
    std::string mime_type;
    std::optional<std::uint64_t> declared_size;
    std::uint64_t received = 0;
    enum class State { active, final, cancelled } state = State::active;
    Sha256 hash;  // of bytes [0, received) while `hash_valid`
    bool hash_valid = true;
  };

  Response status_response(UploadSession& session);
  void receive_bytes(Request& request, UploadSession& session, std::uint64_t offset);
  Response finalize(UploadSession& session);

  EmulatorContext& context_;
  FileStore& files_;
  std::mutex sessions_mutex_;
  std::uint64_t next_upload_ = 1;
  std::map<std::string, std::shared_ptr<UploadSession>> sessions_;
};

}  // namespace pipehost::emulator
