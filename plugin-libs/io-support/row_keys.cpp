#include "io_support/row_keys.hpp"

#include "io_support/message_text.hpp"

namespace pipehost::io {

std::string RowKeys::start(const std::vector<std::string>& columns) {
  row_number_.assign(1, '0');
  if (!has_key_column()) return {};
  for (key_index_ = 0; key_index_ < columns.size(); ++key_index_) {
    if (columns[key_index_] == key_column_) return {};
  }
  std::string listed;
  for (const std::string& column : columns)
    listed += (listed.empty() ? "" : ", ") + quote_for_message(column);
  return "key column " + quote_for_message(key_column_) + " is not among the columns (" + listed + ")";
}

void RowKeys::next_row_number() {
  for (std::size_t i = row_number_.size(); i-- > 0;) {
    if (row_number_[i] != '9') {
      ++row_number_[i];
      return;
    }
    row_number_[i] = '0';
  }
  row_number_.front() = '1';  // 99 -> 00 -> 100
  row_number_.push_back('0');
}

std::string RowKeys::assign(Row& row) {
  next_row_number();
  if (!has_key_column()) {
    row.key = row_number_;
    return {};
  }
  row.key = row.values[key_index_].to_text();
  if (row.key.empty()) return "empty key in key column " + quote_for_message(key_column_);
  return {};
}

}  // namespace pipehost::io
