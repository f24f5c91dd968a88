#include "emulator/server/http_message.hpp"

#include <strings.h>

namespace pipehost::emulator {

std::string BodyReader::read_all(std::size_t limit) {
  std::string all;
  if (auto length = content_length()) {
    if (*length > limit) throw HttpError(413, "INVALID_ARGUMENT", "request body too large");
    all.reserve(static_cast<std::size_t>(*length));
  }
  char buffer[64 * 1024];
  while (std::size_t n = read_some(buffer, sizeof buffer)) {
    if (all.size() + n > limit) throw HttpError(413, "INVALID_ARGUMENT", "request body too large");
    all.append(buffer, n);
  }
  return all;
}

std::string Request::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() && strncasecmp(key.data(), name.data(), name.size()) == 0) return value;
  }
  return {};
}

bool Request::has_header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() && strncasecmp(key.data(), name.data(), name.size()) == 0) return true;
  }
  return false;
}

std::string Request::query_value(std::string_view name) const {
  auto it = query.find(name);
  return it == query.end() ? std::string() : it->second;
}

Response Response::json(unsigned status, std::string body) {
  Response response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

Response& Response::with_header(std::string name, std::string value) {
  headers.emplace_back(std::move(name), std::move(value));
  return *this;
}

std::string percent_decode(std::string_view text, bool plus_is_space) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2])));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

void parse_target(std::string_view target, std::string& path,
                  std::map<std::string, std::string, std::less<>>& query) {
  auto question = target.find('?');
  path = percent_decode(target.substr(0, question), false);
  query.clear();
  if (question == std::string_view::npos) return;
  std::string_view rest = target.substr(question + 1);
  while (!rest.empty()) {
    auto amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    std::string key = percent_decode(pair.substr(0, eq), true);
    std::string value =
        eq == std::string_view::npos ? std::string() : percent_decode(pair.substr(eq + 1), true);
    query[std::move(key)] = std::move(value);
  }
}

}  // namespace pipehost::emulator
