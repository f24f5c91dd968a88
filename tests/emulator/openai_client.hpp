// Helpers the OpenAI emulator tests share: an OpenAI REST caller on top of EmulatorProcess
// (multipart uploads with a Content-Length body, or streamed with Transfer-Encoding: chunked as
// the official Node client does for fs.createReadStream), batch polling and JSONL inputs.
// Everything goes through real HTTP(S) to a real emulator process.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "gemini_client.hpp"

namespace pipehost::test {

/// One line per element, parsed.
inline std::vector<json::object> jsonl_objects(const std::string& text) {
  std::vector<json::object> lines;
  for (std::size_t start = 0; start < text.size();) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) lines.push_back(parse_json(text.substr(start, end - start)).as_object());
    start = end + 1;
  }
  return lines;
}

/// A multipart/form-data body with a `file` part (then `purpose`), as undici's FormData sends it.
inline std::string multipart_body(const std::string& boundary, const std::string& filename,
                                  const std::string& content, const std::string& purpose) {
  return "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename +
         "\"\r\nContent-Type: application/octet-stream\r\n\r\n" + content + "\r\n--" + boundary +
         "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\n" + purpose + "\r\n--" + boundary +
         "--\r\n";
}

namespace detail {

template <class Stream>
HttpReply send_chunked(Stream& stream, const std::string& host, const std::string& target,
                       const HttpHeaders& headers, const std::vector<std::string>& chunks) {
  namespace net = boost::asio;
  namespace http = boost::beast::http;
  http::request<http::empty_body> request{http::verb::post, target, 11};
  request.set(http::field::host, host);
  request.set(http::field::connection, "close");
  for (const auto& [name, value] : headers) request.set(name, value);
  request.chunked(true);
  http::request_serializer<http::empty_body> serializer{request};
  http::write_header(stream, serializer);
  for (const auto& chunk : chunks) net::write(stream, http::make_chunk(net::buffer(chunk)));
  net::write(stream, http::make_chunk_last());

  boost::beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(boost::none);
  http::read(stream, buffer, parser);
  HttpReply reply;
  reply.status = parser.get().result_int();
  for (const auto& field : parser.get()) reply.headers.emplace_back(field.name_string(), field.value());
  reply.body = std::move(parser.get().body());
  return reply;
}

}  // namespace detail

/// A POST whose body is sent with Transfer-Encoding: chunked, one HTTP chunk per element of
/// `chunks` (no Content-Length). Throws when the connection fails.
inline HttpReply chunked_post(const EmulatorProcess& emulator, const std::string& target,
                              const HttpHeaders& headers, const std::vector<std::string>& chunks) {
  namespace net = boost::asio;
  using tcp = net::ip::tcp;
  std::string url = emulator.base_url();
  bool tls = url.rfind("https://", 0) == 0;
  std::string host = url.substr(tls ? 8 : 7);
  std::string port = host.substr(host.rfind(':') + 1);
  net::io_context io;
  auto endpoints = tcp::resolver(io).resolve("127.0.0.1", port);
  if (!tls) {
    tcp::socket socket(io);
    net::connect(socket, endpoints);
    return detail::send_chunked(socket, host, target, headers, chunks);
  }
  net::ssl::context context(net::ssl::context::tls_client);
  context.load_verify_file(emulator.ca_file());
  context.set_verify_mode(net::ssl::verify_peer);
  net::ssl::stream<tcp::socket> stream(io, context);
  net::connect(stream.next_layer(), endpoints);
  stream.handshake(net::ssl::stream_base::client);
  return detail::send_chunked(stream, host, target, headers, chunks);
}

class OpenAiCalls {
 public:
  explicit OpenAiCalls(const EmulatorProcess& emulator, std::string key = "test-openai-key")
      : emulator_(emulator), key_(std::move(key)) {}

  HttpReply call(const std::string& method, const std::string& target, const std::string& body = {},
                 HttpHeaders headers = {}) const {
    headers.emplace_back("Authorization", "Bearer " + key_);
    if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
    return emulator_.request(method, target, body, headers);
  }

  /// POST /v1/files with a Content-Length multipart body.
  HttpReply upload_reply(const std::string& content, const std::string& filename = "input.jsonl",
                         const std::string& purpose = "batch") const {
    const std::string boundary = "----formdata-undici-0123456789";
    return emulator_.request(
        "POST", "/v1/files", multipart_body(boundary, filename, content, purpose),
        {{"Authorization", "Bearer " + key_}, {"Content-Type", "multipart/form-data; boundary=" + boundary}});
  }

  /// POST /v1/files streamed: chunked, the multipart body cut into `chunk_size` pieces.
  HttpReply upload_chunked_reply(const std::string& content, std::size_t chunk_size,
                                 const std::string& filename = "input.jsonl") const {
    const std::string boundary = "openai-k3j5h2g1";
    std::string body = multipart_body(boundary, filename, content, "batch");
    std::vector<std::string> chunks;
    for (std::size_t at = 0; at < body.size(); at += chunk_size)
      chunks.push_back(body.substr(at, chunk_size));
    return chunked_post(
        emulator_, "/v1/files",
        {{"Authorization", "Bearer " + key_}, {"Content-Type", "multipart/form-data; boundary=" + boundary}},
        chunks);
  }

  /// Uploads `content` for a batch; returns the file id.
  std::string upload(const std::string& content) const {
    HttpReply reply = upload_reply(content);
    EXPECT_EQ(reply.status, 200u) << reply.body;
    return str(parse_json(reply.body).at("id"));
  }

  HttpReply create_batch(const std::string& file_id, const std::string& name = {},
                         const std::string& endpoint = "/v1/chat/completions") const {
    json::object body{{"input_file_id", file_id}, {"endpoint", endpoint}, {"completion_window", "24h"}};
    if (!name.empty()) body["metadata"] = json::object{{"name", name}};
    return call("POST", "/v1/batches", json::serialize(body));
  }

  /// Creates a batch and returns its id (the create must succeed).
  std::string start_batch(const std::string& input, const std::string& name = {},
                          const std::string& endpoint = "/v1/chat/completions") const {
    HttpReply created = create_batch(upload(input), name, endpoint);
    EXPECT_EQ(created.status, 200u) << created.body;
    return str(parse_json(created.body).at("id"));
  }

  json::object get_batch(const std::string& id) const {
    HttpReply reply = call("GET", "/v1/batches/" + id);
    if (reply.status != 200) throw std::runtime_error("batch get failed: " + reply.body);
    return parse_json(reply.body).as_object();
  }

  /// Polls until the batch is in a terminal status; returns the last Batch object.
  json::object wait_for_batch(const std::string& id,
                              std::chrono::milliseconds timeout = std::chrono::seconds(20)) const {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      json::object batch = get_batch(id);
      std::string status = str(batch.at("status"));
      if (status == "completed" || status == "failed" || status == "expired" || status == "cancelled")
        return batch;
      if (std::chrono::steady_clock::now() > deadline)
        throw std::runtime_error("batch did not finish: " + status);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  /// GET /v1/files/{id}/content (the download must succeed).
  std::string content(const std::string& file_id) const {
    HttpReply reply = call("GET", "/v1/files/" + file_id + "/content");
    EXPECT_EQ(reply.status, 200u) << reply.body;
    return reply.body;
  }
  std::string content(const json::value& file_id) const { return content(str(file_id)); }

 private:
  const EmulatorProcess& emulator_;
  std::string key_;
};

/// A chat-completions batch input: `count` lines with custom_ids "row-0".., each with a system
/// message and a json_schema response format (`system_text` first, so rows share its prefix).
inline std::string chat_input(int count, const std::string& system_text = "Classify the song. Answer JSON.",
                              const std::string& model = "gpt-4o-mini", int first = 0) {
  std::string out;
  for (int i = first; i < first + count; ++i) {
    json::object body{
        {"model", model},
        {"messages",
         json::array{json::object{{"role", "system"}, {"content", system_text}},
                     json::object{{"role", "user"}, {"content", "Title: Song " + std::to_string(i)}}}},
        {"response_format",
         json::object{{"type", "json_schema"},
                      {"json_schema",
                       parse_json(R"({"name":"song","strict":true,"schema":{"type":"object","properties":{
                         "genre":{"type":"string","enum":["rock","pop","jazz"]},
                         "year":{"type":"integer","minimum":1950,"maximum":2020}},
                         "required":["genre","year"],"additionalProperties":false}})")}}}};
    json::object line{{"custom_id", "row-" + std::to_string(i)},
                      {"method", "POST"},
                      {"url", "/v1/chat/completions"},
                      {"body", std::move(body)}};
    out += json::serialize(line) + "\n";
  }
  return out;
}

/// The answer text of an output line's chat.completion body.
inline std::string chat_answer(const json::object& line) {
  return str(line.at("response").at("body").at("choices").at(0).at("message").at("content"));
}

/// custom_id → line, checking each custom_id appears once.
inline std::map<std::string, json::object> by_custom_id(const std::vector<json::object>& lines) {
  std::map<std::string, json::object> out;
  for (const auto& line : lines) {
    std::string id = str(line.at("custom_id"));
    EXPECT_TRUE(out.emplace(id, line).second) << "duplicate custom_id " << id;
  }
  return out;
}

}  // namespace pipehost::test
