// Pieces of error messages that show user data.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace pipehost::io {

/// `text` in double quotes for an error message, with quotes, backslashes and control characters
/// escaped as in JSON, cut to about 80 bytes ("..." marks a cut), so a message stays one short line.
std::string quote_for_message(std::string_view text);

/// A byte for an error message: 'x' when printable ASCII, else 0xNN.
std::string describe_byte(unsigned char byte);

/// "name:line:column" (1-based line and column), the prefix of every located error.
std::string location(std::string_view name, std::uint64_t line, std::uint64_t column);

}  // namespace pipehost::io
