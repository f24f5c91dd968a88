#include "emulator/gemini/files_api.hpp"

#include <algorithm>
#include <charconv>
#include <fcntl.h>
#include <unistd.h>
#include <vector>

#include <boost/json.hpp>

#include "emulator/gemini/google_error.hpp"
#include "emulator/util/ids.hpp"
#include "emulator/util/json_util.hpp"

namespace pipehost::emulator {

namespace {

constexpr std::size_t kChunkBuffer = 1u << 20;
constexpr std::uint64_t kUploadGranularity = 8u << 20;

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

/// "upload, finalize" → {"upload", "finalize"}.
std::vector<std::string> upload_commands(const std::string& header) {
  std::vector<std::string> commands;
  std::string current;
  for (char c : lower(header) + ",") {
    if (c == ',') {
      if (!current.empty()) commands.push_back(current);
      current.clear();
    } else if (c != ' ' && c != '\t') {
      current.push_back(c);
    }
  }
  return commands;
}

bool has(const std::vector<std::string>& commands, std::string_view name) {
  return std::find(commands.begin(), commands.end(), name) != commands.end();
}

std::optional<std::uint64_t> parse_u64(std::string_view text) {
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

void write_all(int fd, const char* data, std::size_t size, std::uint64_t offset, const std::string& where) {
  while (size > 0) {
    ssize_t written = ::pwrite(fd, data, size, static_cast<off_t>(offset));
    if (written <= 0) throw std::runtime_error("cannot write " + where);
    data += written;
    size -= static_cast<std::size_t>(written);
    offset += static_cast<std::uint64_t>(written);
  }
}

}  // namespace

FilesApi::FilesApi(EmulatorContext& context, FileStore& files) : context_(context), files_(files) {}

Response FilesApi::start_upload(Request& request, const std::string& version) {
  std::string protocol = lower(request.header("X-Goog-Upload-Protocol"));
  std::string command = lower(request.header("X-Goog-Upload-Command"));
  if (protocol != "resumable" || command != "start") {
    throw HttpError(400, "INVALID_ARGUMENT",
                    "only resumable uploads are emulated: send X-Goog-Upload-Protocol: resumable and "
                    "X-Goog-Upload-Command: start");
  }
  std::string body = request.body->read_all(1 << 20);
  json::object file;
  if (!body.empty()) {
    boost::system::error_code ec;
    json::value parsed = json::parse(body, ec);
    if (ec || !parsed.is_object())
      throw HttpError(400, "INVALID_ARGUMENT", "upload start body is not a JSON object");
    if (const json::object* inner = find_object(parsed.get_object(), {"file"})) file = *inner;
  }
  auto session = std::make_shared<UploadSession>();
  session->display_name = string_or(file, {"displayName", "display_name"});
  session->mime_type = request.header("X-Goog-Upload-Header-Content-Type");
  if (session->mime_type.empty()) session->mime_type = string_or(file, {"mimeType", "mime_type"});
  if (session->mime_type.empty()) session->mime_type = "application/octet-stream";
  if (auto size = parse_u64(request.header("X-Goog-Upload-Header-Content-Length")))
    session->declared_size = size;
  session->file_id = files_.reserve_id(strip_files_prefix(string_or(file, {"name"})));
  {
    std::lock_guard lock(sessions_mutex_);
    session->upload_id = "up-" + base36_id(0x0710AD, next_upload_++);
    sessions_[session->upload_id] = session;
  }
  // Create the (empty) file now, so STATE/files/<id>.bin exists from the start.
  FileDescriptor fd(
      ::open(files_.path_for(session->file_id).c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (fd.get() < 0) throw std::runtime_error("cannot create " + files_.path_for(session->file_id).string());
  context_.stats.add("upload_sessions");

  std::string url = context_.base_url + "/upload/" + version + "/files?upload_id=" + session->upload_id +
                    "&upload_protocol=resumable";
  Response response;
  response.content_type = "text/plain; charset=utf-8";
  response.with_header("X-Goog-Upload-URL", url)
      .with_header("X-Goog-Upload-Control-URL", url)
      .with_header("X-Goog-Upload-Status", "active")
      .with_header("X-Goog-Upload-Chunk-Granularity", std::to_string(kUploadGranularity));
  return response;
}

Response FilesApi::status_response(UploadSession& session) {
  Response response;
  const char* status = session.state == UploadSession::State::final       ? "final"
                       : session.state == UploadSession::State::cancelled ? "cancelled"
                                                                          : "active";
  response.with_header("X-Goog-Upload-Status", status)
      .with_header("X-Goog-Upload-Size-Received", std::to_string(session.received));
  if (session.state == UploadSession::State::final) {
    if (auto file = files_.get(session.file_id)) {
      response.body = json::serialize(json::object{{"file", file_resource(*file, context_.base_url)}});
      return response;
    }
  }
  response.content_type = "text/plain; charset=utf-8";
  return response;
}

void FilesApi::receive_bytes(Request& request, UploadSession& session, std::uint64_t offset) {
  std::string path = files_.path_for(session.file_id).string();
  FileDescriptor fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
  if (fd.get() < 0) throw std::runtime_error("cannot open " + path);
  if (offset < session.received) {
    // The client re-sends bytes it is unsure about: keep [0, offset) and overwrite from there.
    if (::ftruncate(fd.get(), static_cast<off_t>(offset)) != 0)
      throw std::runtime_error("cannot truncate " + path);
    session.received = offset;
    session.hash_valid = false;
  }
  // drop_upload: persist about half of this chunk, then reset the connection.
  std::optional<std::uint64_t> drop_after;
  std::uint64_t announced = request.body->content_length().value_or(0);
  if (announced >= 2 && context_.faults.take_drop_upload()) drop_after = announced / 2;

  std::vector<char> buffer(kChunkBuffer);
  std::uint64_t taken = 0;
  for (;;) {
    std::size_t want = buffer.size();
    if (drop_after) want = static_cast<std::size_t>(std::min<std::uint64_t>(want, *drop_after - taken));
    if (want == 0) throw DropConnection();
    std::size_t got = request.body->read_some(buffer.data(), want);
    if (got == 0) break;
    write_all(fd.get(), buffer.data(), got, session.received, path);
    if (session.hash_valid) session.hash.update(std::string_view(buffer.data(), got));
    session.received += got;
    taken += got;
    context_.stats.add("uploaded_bytes", static_cast<std::int64_t>(got));
  }
}

Response FilesApi::finalize(UploadSession& session) {
  if (session.declared_size && *session.declared_size != session.received) {
    throw HttpError(400, "INVALID_ARGUMENT",
                    "finalize: received " + std::to_string(session.received) +
                        " bytes but the upload declared " + std::to_string(*session.declared_size));
  }
  StoredFile file;
  file.id = session.file_id;
  file.display_name = session.display_name;
  file.mime_type = session.mime_type;
  file.size = session.received;
  file.created = WallClock::now();
  file.path = files_.path_for(session.file_id);
  file.sha256 = session.hash_valid ? session.hash.finish() : sha256_of_file(file.path.string());
  files_.add(file);
  session.state = UploadSession::State::final;
  context_.stats.add("files_finalized");
  return status_response(session);
}

Response FilesApi::upload_chunk(Request& request) {
  std::shared_ptr<UploadSession> session;
  {
    std::lock_guard lock(sessions_mutex_);
    auto it = sessions_.find(request.query_value("upload_id"));
    if (it == sessions_.end()) throw HttpError(404, "NOT_FOUND", "unknown upload_id");
    session = it->second;
  }
  std::lock_guard lock(session->mutex);
  auto commands = upload_commands(request.header("X-Goog-Upload-Command"));
  if (commands.empty()) throw HttpError(400, "INVALID_ARGUMENT", "missing X-Goog-Upload-Command");
  if (has(commands, "query")) return status_response(*session);
  if (has(commands, "cancel")) {
    if (session->state == UploadSession::State::active) session->state = UploadSession::State::cancelled;
    return status_response(*session);
  }
  if (session->state == UploadSession::State::final) return status_response(*session);  // a repeated finalize
  if (session->state == UploadSession::State::cancelled) {
    throw HttpError(400, "FAILED_PRECONDITION", "the upload was cancelled");
  }
  if (has(commands, "upload")) {
    std::string offset_header = request.header("X-Goog-Upload-Offset");
    std::uint64_t offset = session->received;
    if (!offset_header.empty()) {
      auto parsed = parse_u64(offset_header);
      if (!parsed) throw HttpError(400, "INVALID_ARGUMENT", "X-Goog-Upload-Offset is not a number");
      offset = *parsed;
    }
    if (offset > session->received) {
      throw HttpError(400, "INVALID_ARGUMENT",
                      "X-Goog-Upload-Offset " + std::to_string(offset) + " is beyond the " +
                          std::to_string(session->received) + " bytes received so far");
    }
    receive_bytes(request, *session, offset);
  }
  if (has(commands, "finalize")) return finalize(*session);
  return status_response(*session);
}

Response FilesApi::get(const std::string& id) {
  auto file = files_.get(id);
  if (!file) throw HttpError(404, "NOT_FOUND", "File files/" + id + " not found.");
  return Response::json(200, json::serialize(file_resource(*file, context_.base_url)));
}

Response FilesApi::list(const Request& request) {
  auto all = files_.list();
  std::size_t page_size = 10;
  if (auto size = parse_u64(request.query_value("pageSize")); size && *size > 0) {
    page_size = static_cast<std::size_t>(std::min<std::uint64_t>(*size, 100));
  }
  std::size_t start = parse_u64(request.query_value("pageToken")).value_or(0);
  json::array page;
  for (std::size_t i = start; i < all.size() && page.size() < page_size; ++i) {
    page.push_back(file_resource(all[i], context_.base_url));
  }
  json::object out;
  if (!page.empty()) out["files"] = std::move(page);
  if (start + page_size < all.size()) out["nextPageToken"] = std::to_string(start + page_size);
  return Response::json(200, json::serialize(out));
}

Response FilesApi::remove(const std::string& id) {
  if (!files_.remove(id)) throw HttpError(404, "NOT_FOUND", "File files/" + id + " not found.");
  return Response::json(200, "{}");
}

Response FilesApi::download(const Request& request, const std::string& id) {
  auto file = files_.get(id);
  if (!file) throw HttpError(404, "NOT_FOUND", "File files/" + id + " not found.");
  Response response;
  response.content_type = "application/octet-stream";
  response.file = Response::FileSlice{file->path, 0, file->size};
  // "Range: bytes=N-" or "bytes=N-M", so a client can resume a broken download.
  std::string range = request.header("Range");
  if (range.rfind("bytes=", 0) == 0) {
    std::string_view spec = std::string_view(range).substr(6);
    auto dash = spec.find('-');
    auto first = parse_u64(spec.substr(0, dash));
    std::optional<std::uint64_t> last;
    if (dash != std::string_view::npos && dash + 1 < spec.size()) last = parse_u64(spec.substr(dash + 1));
    if (!first || *first >= file->size || (last && *last < *first)) {
      Response unsatisfiable = google_error(416, "OUT_OF_RANGE", "requested range not satisfiable");
      unsatisfiable.with_header("Content-Range", "bytes */" + std::to_string(file->size));
      return unsatisfiable;
    }
    std::uint64_t end = std::min<std::uint64_t>(last.value_or(file->size - 1), file->size - 1);
    response.status = 206;
    response.file->offset = *first;
    response.file->size = end - *first + 1;
    response.with_header("Content-Range", "bytes " + std::to_string(*first) + "-" + std::to_string(end) +
                                              "/" + std::to_string(file->size));
  }
  response.with_header("Accept-Ranges", "bytes");
  if (context_.faults.take_drop_download()) {
    response.ending = Response::Ending::reset;
  } else if (context_.faults.take_truncate_download()) {
    response.ending = Response::Ending::truncate;
  }
  std::uint64_t sent =
      response.ending == Response::Ending::complete ? response.file->size : response.file->size / 2;
  context_.stats.add("downloads");
  context_.stats.add("downloaded_bytes", static_cast<std::int64_t>(sent));
  return response;
}

}  // namespace pipehost::emulator
