// The pending-events journal, the failed-file resend plumbing, and the small wire helpers.
#include <filesystem>

#include <gtest/gtest.h>

#include "batch_limits.hpp"
#include "braintrust_api.hpp"
#include "braintrust_events/append_file.hpp"
#include "event_sender.hpp"
#include "pending_journal.hpp"
#include "test_host.hpp"

namespace {

namespace fs = std::filesystem;
using pipehost::braintrust::JournalLeftovers;
using pipehost::braintrust::PendingJournal;

std::size_t files_in(const fs::path& dir) {
  if (!fs::exists(dir)) return 0;
  return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

std::vector<std::string> lines_of(const fs::path& file) {
  std::vector<std::string> lines;
  pipehost::braintrust::for_each_line(file, [&](std::string_view line) { lines.emplace_back(line); });
  return lines;
}

TEST(PendingJournal, SegmentsGoAwayOnceTheirEventsAreResolved) {
  pipehost::test::TempDir dir;
  auto journal_dir = dir.path() / "journal";
  PendingJournal journal(journal_dir, 3);
  EXPECT_EQ(files_in(journal_dir), 0u);  // nothing until the first event
  std::vector<std::uint64_t> segments;
  for (int i = 0; i < 7; ++i) segments.push_back(journal.append("{\"id\":\"" + std::to_string(i) + "\"}"));
  EXPECT_EQ(segments, (std::vector<std::uint64_t>{1, 1, 1, 2, 2, 2, 3}));
  EXPECT_EQ(files_in(journal_dir), 3u);
  journal.resolved(2, 3);  // a full segment, all resolved
  EXPECT_EQ(files_in(journal_dir), 2u);
  journal.resolved(1, 2);
  EXPECT_EQ(files_in(journal_dir), 2u);  // one of segment 1 still pending
  journal.resolved(1, 1);
  EXPECT_EQ(files_in(journal_dir), 1u);
  journal.resolved(3, 1);
  EXPECT_EQ(files_in(journal_dir), 1u);  // the current segment stays open until settle()
  journal.settle();
  EXPECT_EQ(files_in(journal_dir), 0u);
  journal.append("{}");  // a fresh segment after a settle
  EXPECT_EQ(files_in(journal_dir), 1u);
}

TEST(PendingJournal, SettleKeepsASegmentWithUnresolvedEvents) {
  pipehost::test::TempDir dir;
  PendingJournal journal(dir.path(), 100);
  journal.append("{\"id\":\"a\"}");
  journal.append("{\"id\":\"b\"}");
  journal.resolved(1, 1);
  journal.settle();
  EXPECT_EQ(files_in(dir.path()), 1u);
}

TEST(JournalLeftovers, ClaimsSegmentsOfDeadWritersOnly) {
  pipehost::test::TempDir dir;
  {
    PendingJournal dead(dir.path(), 2);
    for (int i = 0; i < 3; ++i) dead.append("{\"id\":\"dead-" + std::to_string(i) + "\"}");
  }  // gone without resolving: both segments stay, unlocked
  PendingJournal live(dir.path(), 10);
  live.append("{\"id\":\"live\"}");
  pipehost::braintrust::AppendFile(dir.file("unrelated.txt")).append_line("x");

  auto leftovers = JournalLeftovers::claim(dir.path());
  ASSERT_EQ(leftovers.files().size(), 2u);
  std::vector<std::string> lines;
  for (const auto& file : leftovers.files()) {
    for (auto& line : lines_of(file)) lines.push_back(line);
  }
  EXPECT_EQ(lines.size(), 3u);
  EXPECT_EQ(JournalLeftovers::claim(dir.path()).files().size(), 0u);  // already claimed (locked)
  leftovers.remove_all();
  EXPECT_EQ(files_in(dir.path()), 2u);  // the live segment and the unrelated file
  EXPECT_EQ(JournalLeftovers::claim(dir.path() / "missing").files().size(), 0u);
}

TEST(AppendFile, AppendsWholeLinesAndCreatesFolders) {
  pipehost::test::TempDir dir;
  auto path = dir.path() / "a" / "b" / "log.jsonl";
  {
    pipehost::braintrust::AppendFile file(path);
    file.append_line("one");
    file.append_lines({"two", "three"});
    file.sync();
  }
  pipehost::braintrust::AppendFile(path).append_line("four");
  EXPECT_EQ(lines_of(path), (std::vector<std::string>{"one", "two", "three", "four"}));
  EXPECT_THROW(lines_of(dir.path() / "missing"), std::runtime_error);
}

TEST(BatchLimits, CountAndBytesBoundABatchButALoneEventAlwaysFits) {
  pipehost::braintrust::BatchLimits limits{3, 100};
  EXPECT_TRUE(limits.fits(0, 0, 5000));  // sent alone
  EXPECT_TRUE(limits.fits(2, 20, 10));
  EXPECT_FALSE(limits.fits(3, 30, 10));  // count
  // {"events":[ + 40 + , + 45 + ]} = 13 + 85 + 1 = 99 fits; one more byte does not.
  EXPECT_TRUE(limits.fits(1, 40, 45));
  EXPECT_FALSE(limits.fits(1, 40, 47));
}

TEST(InsertBody, JoinsEventsAndMatchesItsPredictedSize) {
  std::vector<std::string_view> events{R"({"id":"a"})", R"({"id":"b"})"};
  std::string body = pipehost::braintrust::insert_body(events);
  EXPECT_EQ(body, R"({"events":[{"id":"a"},{"id":"b"}]})");
  EXPECT_EQ(body.size(), pipehost::braintrust::insert_body_size(2, 20));
  EXPECT_EQ(pipehost::braintrust::insert_body({}), R"({"events":[]})");
}

TEST(WireHelpers, EventIdAndUrlEncoding) {
  EXPECT_EQ(pipehost::braintrust::event_id_of(R"({"id":"abc123","x":1})"), "abc123");
  EXPECT_EQ(pipehost::braintrust::event_id_of(R"({"x":1})"), "?");
  EXPECT_EQ(pipehost::braintrust::url_encode("Music Classification/ü"), "Music%20Classification%2F%C3%BC");
  EXPECT_EQ(pipehost::braintrust::url_encode("a-b_c.d~e"), "a-b_c.d~e");
}

}  // namespace
