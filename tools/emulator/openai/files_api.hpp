// OpenAI Files API: multipart upload (POST /v1/files, streamed to disk whatever the framing),
// retrieve, list (after/limit/order/purpose), content download and delete.
#pragma once

#include <string>

#include "emulator/app/emulator_context.hpp"
#include "emulator/openai/file_store.hpp"
#include "emulator/server/http_message.hpp"

namespace pipehost::emulator::openai {

class FilesApi {
 public:
  FilesApi(EmulatorContext& context, FileStore& files) : context_(context), files_(files) {}

  Response upload(Request& request);
  Response get(const std::string& id);
  Response list(const Request& request);
  Response content(const std::string& id);
  Response remove(const std::string& id);

 private:
  EmulatorContext& context_;
  FileStore& files_;
};

/// Limits the real API enforces on uploads (bytes).
inline constexpr std::uint64_t kMaxFileBytes = 512ull << 20;
inline constexpr std::uint64_t kMaxBatchFileBytes = 200ull << 20;

}  // namespace pipehost::emulator::openai
