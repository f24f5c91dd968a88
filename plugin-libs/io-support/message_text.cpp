#include "io_support/message_text.hpp"

#include <cstdio>

namespace pipehost::io {

std::string quote_for_message(std::string_view text) {
  constexpr std::size_t kMaxBytes = 80;
  std::string out = "\"";
  std::size_t shown = text.size() > kMaxBytes ? kMaxBytes : text.size();
  // Do not cut inside a UTF-8 sequence.
  while (shown < text.size() && shown > 0 && (static_cast<unsigned char>(text[shown]) & 0xC0) == 0x80)
    --shown;
  for (std::size_t i = 0; i < shown; ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
          out += escaped;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  if (shown < text.size()) out += "...";
  out += '"';
  return out;
}

std::string describe_byte(unsigned char byte) {
  if (byte >= 0x20 && byte < 0x7F) return std::string("'") + static_cast<char>(byte) + "'";
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02X", byte);
  return hex;
}

std::string location(std::string_view name, std::uint64_t line, std::uint64_t column) {
  return std::string(name) + ":" + std::to_string(line) + ":" + std::to_string(column);
}

}  // namespace pipehost::io
