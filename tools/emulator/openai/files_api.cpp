#include "emulator/openai/files_api.hpp"

#include <algorithm>
#include <charconv>
#include <fcntl.h>
#include <optional>
#include <unistd.h>
#include <vector>

#include <boost/json.hpp>

#include "emulator/openai/list_page.hpp"
#include "emulator/openai/multipart.hpp"
#include "emulator/openai/openai_error.hpp"

namespace pipehost::emulator::openai {

namespace json = boost::json;

namespace {

constexpr std::size_t kReadBuffer = 256 * 1024;
constexpr std::size_t kMaxFieldBytes = 4096;
// A chunked upload announces no size: drop_upload then cuts it after this many bytes (or at its end).
constexpr std::uint64_t kDropAfterUnknownSize = 64 * 1024;

const char* const kPurposes[] = {"assistants", "batch", "fine-tune", "vision", "user_data", "evals"};

class OutputFile {
 public:
  explicit OutputFile(const std::filesystem::path& path)
      : path_(path.string()), fd_(::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) {
    if (fd_ < 0) throw std::runtime_error("cannot create " + path_);
  }
  ~OutputFile() { ::close(fd_); }
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  void write(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t written = ::write(fd_, bytes.data(), bytes.size());
      if (written <= 0) throw std::runtime_error("cannot write " + path_);
      bytes.remove_prefix(static_cast<std::size_t>(written));
    }
  }

 private:
  std::string path_;
  int fd_;
};

std::optional<std::uint64_t> parse_u64(const std::string& text) {
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

bool ends_with(const std::string& text, std::string_view suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

Response FilesApi::upload(Request& request) {
  std::string boundary = multipart_boundary(request.header("Content-Type"));
  if (boundary.empty()) {
    throw OpenAiError(400, "Invalid Content-Type: uploads must be multipart/form-data with a boundary.");
  }
  File file;
  file.id = files_.new_id();
  file.path = files_.path_for(file.id);
  OutputFile disk(file.path);
  bool has_file = false, in_file = false;
  std::string field_name, purpose;
  std::string* field = nullptr;
  std::string ignored;

  MultipartParser parser(
      boundary, {.begin_part =
                     [&](const MultipartPart& part) {
                       in_file = part.name == "file" && !has_file;
                       if (in_file) {
                         has_file = true;
                         file.filename = part.filename;
                       }
                       field = part.name == "purpose" ? &purpose : &ignored;
                       field->clear();
                     },
                 .part_data =
                     [&](std::string_view bytes) {
                       if (in_file) {
                         file.bytes += bytes.size();
                         if (file.bytes > kMaxFileBytes)
                           throw OpenAiError(400, "File is too large: the maximum size is 512 MB.",
                                             "invalid_request_error", "file");
                         disk.write(bytes);
                         context_.stats.add("uploaded_bytes", static_cast<std::int64_t>(bytes.size()));
                       } else if (field->size() + bytes.size() <= kMaxFieldBytes) {
                         field->append(bytes);
                       }
                     },
                 .end_part = [&] { in_file = false; }});

  // drop_upload: take about half of the body (or the first 64 KiB of a chunked one), then reset.
  std::optional<std::uint64_t> drop_after;
  if (context_.faults.take_drop_upload()) {
    auto announced = request.body->content_length();
    drop_after = announced ? std::max<std::uint64_t>(*announced / 2, 1) : kDropAfterUnknownSize;
  }
  std::vector<char> buffer(kReadBuffer);
  std::uint64_t received = 0;
  try {
    for (;;) {
      std::size_t want = buffer.size();
      if (drop_after) want = static_cast<std::size_t>(std::min<std::uint64_t>(want, *drop_after - received));
      if (want == 0) throw DropConnection();
      std::size_t got = request.body->read_some(buffer.data(), want);
      if (got == 0) break;
      received += got;
      parser.feed(std::string_view(buffer.data(), got));
    }
  } catch (const std::invalid_argument& malformed) {
    throw OpenAiError(400, std::string("Malformed multipart body: ") + malformed.what());
  }
  if (drop_after) throw DropConnection();  // the whole body was shorter than the cut-off
  if (!parser.finished())
    throw OpenAiError(400, "Malformed multipart body: it ends before its closing boundary.");
  if (!has_file)
    throw OpenAiError(400, "Missing required parameter: 'file'.", "invalid_request_error", "file");
  if (purpose.empty())
    throw OpenAiError(400, "Missing required parameter: 'purpose'.", "invalid_request_error", "purpose");
  if (std::find(std::begin(kPurposes), std::end(kPurposes), purpose) == std::end(kPurposes)) {
    throw OpenAiError(400,
                      "'" + purpose +
                          "' is not one of ['assistants', 'batch', 'fine-tune', 'vision', 'user_data', "
                          "'evals'] - 'purpose'",
                      "invalid_request_error", "purpose");
  }
  if (purpose == "batch" && !ends_with(file.filename, ".jsonl"))
    throw OpenAiError(400, "Invalid file format for Batch API. Must be .jsonl");
  if (purpose == "batch" && file.bytes > kMaxBatchFileBytes)
    throw OpenAiError(400, "File is too large for the Batch API: the maximum size is 200 MB.",
                      "invalid_request_error", "file");
  file.purpose = purpose;
  file.created = WallClock::now();
  files_.add(file);
  return Response::json(200, json::serialize(file_object(file)));
}

Response FilesApi::get(const std::string& id) {
  auto file = files_.get(id);
  if (!file) throw not_found("File", id);
  return Response::json(200, json::serialize(file_object(*file)));
}

Response FilesApi::list(const Request& request) {
  auto all = files_.list();
  std::string purpose = request.query_value("purpose");
  if (!purpose.empty()) std::erase_if(all, [&](const File& file) { return file.purpose != purpose; });
  if (request.query_value("order") != "asc") std::reverse(all.begin(), all.end());  // newest first by default
  std::size_t limit = static_cast<std::size_t>(
      std::clamp<std::uint64_t>(parse_u64(request.query_value("limit")).value_or(10000), 1, 10000));
  json::object page = list_page(
      all, request.query_value("after"), limit, [](const File& file) { return file.id; }, file_object);
  return Response::json(200, json::serialize(page));
}

Response FilesApi::content(const std::string& id) {
  auto file = files_.get(id);
  if (!file) throw not_found("File", id);
  Response response;
  response.content_type = "application/octet-stream";
  response.file = Response::FileSlice{file->path, 0, file->bytes};
  if (context_.faults.take_drop_download()) {
    response.ending = Response::Ending::reset;
  } else if (context_.faults.take_truncate_download()) {
    response.ending = Response::Ending::truncate;
  }
  std::uint64_t sent = response.ending == Response::Ending::complete ? file->bytes : file->bytes / 2;
  context_.stats.add("downloads");
  context_.stats.add("downloaded_bytes", static_cast<std::int64_t>(sent));
  return response;
}

Response FilesApi::remove(const std::string& id) {
  if (!files_.remove(id)) throw not_found("File", id);
  return Response::json(200,
                        json::serialize(json::object{{"id", id}, {"object", "file"}, {"deleted", true}}));
}

}  // namespace pipehost::emulator::openai
