#include "backlog.hpp"

#include <memory>
#include <string>
#include <vector>

#include <boost/json.hpp>

namespace pipehost::braintrust {

namespace {

bool is_json_object(std::string_view line) {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(line, ec);
  return !ec && value.is_object();
}

}  // namespace

BacklogResult resend_backlog(EventSender& sender, HostServices& host,
                             const std::filesystem::path& failed_file, JournalLeftovers& leftovers,
                             const BatchLimits& limits) {
  BacklogResult result;
  std::vector<std::filesystem::path> sources;
  std::error_code ec;
  bool have_failed_file = std::filesystem::exists(failed_file, ec);
  if (have_failed_file) sources.push_back(failed_file);
  for (const auto& file : leftovers.files()) sources.push_back(file);
  if (sources.empty()) return result;

  auto keep_path = failed_file;
  keep_path += ".resending";
  std::filesystem::remove(keep_path,
                          ec);  // a stale one from an interrupted resend; its events are still in the sources
  std::unique_ptr<AppendFile> keep;

  std::vector<std::string> batch;
  std::size_t batch_bytes = 0;
  auto send_batch = [&] {
    if (batch.empty()) return;
    std::vector<std::string_view> views(batch.begin(), batch.end());
    EventSender::Outcome outcome = sender.send(views);
    result.resent += outcome.delivered;
    if (!outcome.undelivered.empty()) {
      if (!keep) keep = std::make_unique<AppendFile>(keep_path);
      std::vector<std::string_view> undelivered;
      for (std::size_t index : outcome.undelivered) undelivered.push_back(views[index]);
      keep->append_lines(undelivered);
      result.kept += undelivered.size();
    }
    batch.clear();
    batch_bytes = 0;
  };

  for (const auto& source : sources) {
    std::size_t line_number = 0;
    for_each_line(source, [&](std::string_view line) {
      ++line_number;
      if (line.empty()) return;
      if (!is_json_object(line)) {
        ++result.malformed;
        host.log(LogLevel::warn, source.string() + ":" + std::to_string(line_number) +
                                     ": not a complete JSON event (cut short?); skipped");
        return;
      }
      if (!limits.fits(batch.size(), batch_bytes, line.size())) send_batch();
      batch.emplace_back(line);
      batch_bytes += line.size();
    });
  }
  send_batch();

  if (keep) {
    keep->sync();
    keep.reset();
    std::filesystem::rename(keep_path, failed_file);
  } else if (have_failed_file) {
    std::filesystem::remove(failed_file);
  }
  if ((result.kept > 0 || have_failed_file) && failed_file.has_parent_path())
    sync_directory(failed_file.parent_path());
  leftovers.remove_all();
  return result;
}

}  // namespace pipehost::braintrust
