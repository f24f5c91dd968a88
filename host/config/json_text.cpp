#include "json_text.hpp"

#include <fstream>
#include <sstream>

#include <boost/json.hpp>

namespace pipehost::config {

boost::json::value parse_json(std::string_view text, const std::string& origin) {
  boost::json::parse_options options;
  options.allow_comments = true;
  boost::json::stream_parser parser({}, options);
  boost::system::error_code ec;
  std::size_t consumed = parser.write_some(text.data(), text.size(), ec);
  if (!ec && consumed < text.size()) {
    // write_some stops after the first complete value; anything but whitespace after it is an error.
    auto extra = text.find_first_not_of(" \t\r\n", consumed);
    if (extra != std::string_view::npos) {
      consumed = extra;
      ec = boost::json::error::extra_data;
    }
  }
  if (!ec) parser.finish(ec);
  if (ec) {
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i < consumed && i < text.size(); ++i) {
      if (text[i] == '\n') ++line, column = 1;
      else ++column;
    }
    throw ConfigError(origin + ":" + std::to_string(line) + ":" + std::to_string(column) +
                      ": invalid JSON: " + ec.message());
  }
  return parser.release();
}

boost::json::value read_json_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code ec;
    bool exists = std::filesystem::exists(path, ec);
    throw ConfigError(path.string() + ": " + (exists ? "cannot read the file" : "no such file"));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_json(text.str(), path.string());
}

std::string pointer_token(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

std::string describe_value(const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::null: return "null";
    case boost::json::kind::bool_: return value.get_bool() ? "true" : "false";
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
    case boost::json::kind::double_: return "number " + boost::json::serialize(value);
    case boost::json::kind::string: {
      auto s = boost::json::serialize(value);
      if (s.size() > 40) s = s.substr(0, 37) + "...\"";
      return "string " + s;
    }
    case boost::json::kind::array: return "array";
    case boost::json::kind::object: return "object";
  }
  return "value";
}

}  // namespace pipehost::config
