#include "pending_journal.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <unistd.h>

namespace pipehost::braintrust {

namespace {

constexpr std::string_view kPrefix = "pending-";
constexpr std::string_view kSuffix = ".jsonl";

bool is_segment_name(const std::string& name) {
  return name.size() > kPrefix.size() + kSuffix.size() && name.starts_with(kPrefix) &&
         name.ends_with(kSuffix);
}

void remove_quietly(const std::filesystem::path& path) {
  std::error_code ec;
  std::filesystem::remove(path, ec);
}

}  // namespace

PendingJournal::PendingJournal(std::filesystem::path dir, std::size_t events_per_segment)
    : dir_(std::move(dir)), events_per_segment_(std::max<std::size_t>(1, events_per_segment)) {
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  static std::atomic<std::uint64_t> instances{1};
  // Unique per process and instance, so segments of different writers never share a name.
  name_prefix_ = std::string(kPrefix) + std::to_string(::getpid()) + "-" + std::to_string(millis) + "-" +
                 std::to_string(instances.fetch_add(1)) + "-";
}

PendingJournal::~PendingJournal() = default;

std::uint64_t PendingJournal::append(std::string_view line) {
  std::lock_guard lock(mutex_);
  if (current_ != 0 && segments_[current_].appended >= events_per_segment_) {
    segments_[current_].closed = true;
    auto it = segments_.find(current_);
    current_ = 0;
    remove_if_done(it);
  }
  if (current_ == 0) {
    std::uint64_t number = next_++;
    auto path = dir_ / (name_prefix_ + std::to_string(number) + std::string(kSuffix));
    Segment segment;
    segment.file = std::make_unique<AppendFile>(path);
    segment.file->try_lock();  // advisory: marks the segment as live for JournalLeftovers::claim
    segments_.emplace(number, std::move(segment));
    current_ = number;
  }
  Segment& segment = segments_[current_];
  segment.file->append_line(line);
  ++segment.appended;
  return current_;
}

void PendingJournal::resolved(std::uint64_t segment, std::size_t count) {
  std::lock_guard lock(mutex_);
  auto it = segments_.find(segment);
  if (it == segments_.end()) return;
  it->second.resolved += count;
  remove_if_done(it);
}

void PendingJournal::settle() {
  std::lock_guard lock(mutex_);
  if (current_ == 0) return;
  auto it = segments_.find(current_);
  if (it->second.resolved < it->second.appended) return;
  it->second.closed = true;
  current_ = 0;
  remove_if_done(it);
}

void PendingJournal::remove_if_done(std::map<std::uint64_t, Segment>::iterator it) {
  Segment& segment = it->second;
  if (!segment.closed || segment.resolved < segment.appended) return;
  auto path = segment.file->path();
  segment.file.reset();
  remove_quietly(path);
  segments_.erase(it);
}

JournalLeftovers JournalLeftovers::claim(const std::filesystem::path& dir) {
  JournalLeftovers leftovers;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return leftovers;
  std::vector<std::filesystem::path> candidates;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && is_segment_name(entry.path().filename().string()))
      candidates.push_back(entry.path());
  }
  std::sort(candidates.begin(), candidates.end());
  for (const auto& path : candidates) {
    auto file = std::make_unique<AppendFile>(path);
    if (!file->try_lock()) continue;  // a live logger's segment
    leftovers.files_.push_back(path);
    leftovers.locks_.push_back(std::move(file));
  }
  return leftovers;
}

void JournalLeftovers::remove_all() {
  for (const auto& path : files_) remove_quietly(path);
  locks_.clear();
  files_.clear();
}

}  // namespace pipehost::braintrust
