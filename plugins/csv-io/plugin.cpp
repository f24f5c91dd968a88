// csv-io: a CSV source and a CSV sink in one plugin library.
#include "csv_sink.hpp"
#include "csv_source.hpp"
#include "pipehost/sdk.hpp"

namespace {

pipehost::PluginDescriptor describe() {
  pipehost::PluginDescriptor plugin{"csv-io", "1.0.0", "CSV files (RFC 4180): a streaming source and a sink"};
  plugin.add<pipehost::csv::CsvSource>(pipehost::csv::source_spec(),
                                       "Reads rows from a CSV file (header row, quoted fields, LF or CRLF)");
  plugin.add<pipehost::csv::CsvSink>(pipehost::csv::sink_spec(),
                                     "Writes rows to a CSV file, quoting only where needed");
  return plugin;
}

}  // namespace

PIPEHOST_PLUGIN(describe)
