// libFuzzer target for the CSV reader. The first input byte picks the options (delimiter, header,
// ragged and invalid-UTF-8 policies, a tiny read buffer so records straddle refills); the rest is the
// file. Whatever reads without error must survive a round trip: written back by CsvWriter and read
// again, it gives the same columns and rows (else the target aborts). Errors are fine; crashes,
// hangs and unbounded memory are not (max_row_bytes bounds what one row may hold).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "csv_row_reader.hpp"
#include "csv_writer.hpp"
#include "io_support/byte_input.hpp"

namespace {

using pipehost::Row;
using namespace pipehost::csv;

struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
};

Table read_all(std::string_view bytes, const CsvReadOptions& options) {
  CsvRowReader reader(options);
  Table table;
  table.columns = reader.open(std::make_unique<pipehost::io::MemoryInput>(bytes), "fuzz.csv");
  std::vector<Row> batch;
  for (;;) {
    reader.read(batch, 3);
    if (batch.empty()) return table;
    for (Row& row : batch) {
      table.rows.emplace_back();
      for (auto& value : row.values) table.rows.back().push_back(value.as_string());
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t control = data[0];
  std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);

  CsvReadOptions options;
  options.dialect.delimiter = (control & 0x01) ? ';' : ',';
  options.header = (control & 0x02) == 0;
  options.ragged = static_cast<Ragged>((control >> 2) & 0x03);
  options.invalid_utf8 = (control & 0x10) ? InvalidUtf8::replace : InvalidUtf8::error;
  options.buffer_bytes = 4 + (control >> 5) * 5;
  options.max_row_bytes = 1 << 16;

  Table table;
  try {
    table = read_all(bytes, options);
  } catch (const std::exception&) {
    return 0;  // a clean error
  }

  CsvWriter writer(options.dialect, (control & 0x80) ? "\r\n" : "\n");
  std::string written;
  writer.append_record(table.columns, written);
  for (const auto& row : table.rows) writer.append_record(row, written);

  CsvReadOptions again;
  again.dialect = options.dialect;
  again.buffer_bytes = 64;                     // the default 1 MiB buffer would cost more than the parsing
  again.max_row_bytes = std::size_t{1} << 20;  // the writer may add quotes
  Table back;
  try {
    back = read_all(written, again);
  } catch (const std::exception&) {
    std::abort();  // what the writer writes must read back
  }
  if (back.columns != table.columns || back.rows != table.rows) std::abort();
  return 0;
}
