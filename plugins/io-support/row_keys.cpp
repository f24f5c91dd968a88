#include "io_support/row_keys.hpp"

#include "io_support/message_text.hpp"

namespace pipehost::io {

std::string RowKeys::check(std::string_view key, std::string_view column, std::uint64_t line) {
  if (key.empty()) return "empty key in key column " + quote_for_message(column);
  auto [it, inserted] = lines_.try_emplace(std::string(key), line);
  if (inserted) return {};
  return "duplicate key " + quote_for_message(key) + " in key column " + quote_for_message(column) +
         " (first seen on line " + std::to_string(it->second) + ")";
}

}  // namespace pipehost::io
