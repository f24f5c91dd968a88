#include "engine/run_report.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "engine/run_error.hpp"
#include "report/render_html.hpp"

namespace pipehost::engine {

namespace json = boost::json;

std::filesystem::path report_path(const config::RunConfig& config) {
  return config.settings.state_dir / "report.html";
}

report::ReportInputs report_inputs(const config::RunConfig& config, const Pipeline& pipeline,
                                   const std::vector<std::string>& columns,
                                   const std::vector<Column>& output_columns, const Request& request,
                                   const Pricing& pricing) {
  const auto& settings = config.settings;
  report::ReportInputs inputs;
  inputs.ledger_file = settings.state_dir / "ledger.sqlite";
  inputs.summary_file = settings.state_dir / "summary.json";
  inputs.config_file = config.file.string();
  inputs.input_columns = columns;
  for (const auto& column : output_columns) inputs.output_columns.push_back(column.name);
  // Text reports join array values the way the parser says its columns are joined.
  if (!output_columns.empty()) inputs.list_separator = output_columns.front().list_separator;
  if (request.generation.response_schema_json)
    inputs.response_schema_json = *request.generation.response_schema_json;
  if (pipeline.provider)
    inputs.provider =
        pipeline.provider->plugin->name() + " " + pipeline.provider->plugin->descriptor->version;
  inputs.model = pricing.model;
  inputs.mode = config::to_string(settings.mode);
  if (const auto& p = pricing.prices)
    inputs.prices = {
        {"input", p->input},   {"cached_input", p->cached_input}, {"cache_write", p->cache_write},
        {"output", p->output}, {"thinking", p->thinking},         {"batch_multiplier", p->batch_multiplier}};
  return inputs;
}

report::ReportInputs report_inputs(const config::RunConfig& config, Pipeline& pipeline) {
  std::vector<std::string> columns;
  std::vector<Column> output_columns;
  if (auto status = pipeline.source->open(columns); !status)
    throw InputError(pipeline.source.label() + ": " + status.message());
  Request request;
  if (pipeline.request) {
    if (auto status = (*pipeline.request)->bind(columns); !status)
      throw config::ConfigError(config.file.string() + ": " + pipeline.request->pointer + ": " +
                                status.message());
    // Any row gives the response schema (it is the same for every request): the first, or an empty one.
    std::vector<Row> first;
    if (auto status = pipeline.source->read(first, 1); !status)
      throw InputError(pipeline.source.label() + ": " + status.message());
    Row row = first.empty() ? Row{"1", std::vector<Value>(columns.size(), Value("")), 0} : first.front();
    if (auto status = (*pipeline.request)->build(row, request); !status)
      throw config::ConfigError(pipeline.request->label() + ": " + status.message());
  }
  if (pipeline.parser)
    if (auto status = (*pipeline.parser)->columns(output_columns); !status)
      throw config::ConfigError(pipeline.parser->label() + ": " + status.message());
  Pricing pricing;
  if (pipeline.provider) {
    ModelInfo info;
    if (auto status = (*pipeline.provider)->model(info); !status)
      throw config::ConfigError(pipeline.provider->label() + ": " + status.message());
    pricing = Pricing::from(info, config.settings);
  }
  return report_inputs(config, pipeline, columns, output_columns, request, pricing);
}

std::filesystem::path write_run_report(const report::ReportInputs& inputs,
                                       const std::filesystem::path& file) {
  try {
    report::write_report(inputs, file);
    return file;
  } catch (const std::exception& e) {
    spdlog::warn("the run report could not be written ({}); `pipehost report` writes it later", e.what());
    return {};
  }
}

}  // namespace pipehost::engine
