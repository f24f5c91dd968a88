// Pieces of the engine that need no run: the progress line (cut to the terminal's width, log lines
// never glued onto it, failed rows counted once), the watchdog's verdict, the output checks.
#include "engine/progress.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "engine/preflight.hpp"
#include "engine/watchdog.hpp"
#include "services/status_line.hpp"
#include "test_host.hpp"

namespace {

using namespace pipehost;
using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(ProgressLine, IsCutToTheTerminalWidthWithoutSplittingACharacter) {
  EXPECT_EQ(services::fit_to_width("rows 10/20 done", 80), "rows 10/20 done");
  EXPECT_EQ(services::fit_to_width("rows 10/20 done", 11), "rows 10/20");
  // The last column stays free: writing into it makes many terminals wrap.
  EXPECT_EQ(services::fit_to_width("abcdef", 6), "abcde");
  // "≈" is three bytes and one column.
  EXPECT_EQ(services::fit_to_width("a\xE2\x89\x88"
                                   "bcdef",
                                   4),
            "a\xE2\x89\x88"
            "b");
  EXPECT_EQ(services::fit_to_width("\xE2\x89\x88\xE2\x89\x88\xE2\x89\x88", 3), "\xE2\x89\x88\xE2\x89\x88");
  EXPECT_EQ(services::fit_to_width("abc", 0), "a");
}

TEST(ProgressLine, WidthComesFromTheTerminalThenColumnsThen80) {
  int fd = ::open("/dev/null", O_WRONLY);  // not a terminal: no TIOCGWINSZ
  ASSERT_GE(fd, 0);
  ::unsetenv("COLUMNS");
  EXPECT_EQ(services::terminal_width(fd), 80u);
  ::setenv("COLUMNS", "132", 1);
  EXPECT_EQ(services::terminal_width(fd), 132u);
  ::setenv("COLUMNS", "wide", 1);
  EXPECT_EQ(services::terminal_width(fd), 80u);
  ::unsetenv("COLUMNS");
  ::close(fd);
}

TEST(ProgressLine, LogLinesClearTheStatusLineAndItIsRedrawnBelowThem) {
  std::string out;
  services::StatusLine line([&](std::string_view text) { out += text; });
  line.write_log("before\n");
  EXPECT_EQ(out, "before\n") << "no status line yet: the log line alone";
  out.clear();
  line.show("rows 1/10 done");
  EXPECT_EQ(out, "\r\033[Krows 1/10 done");
  out.clear();
  line.write_log("12:00:00.000 warn  something happened\n");
  EXPECT_EQ(out, "\r\033[K12:00:00.000 warn  something happened\nrows 1/10 done");
  out.clear();
  line.finish("rows 10/10 done");
  EXPECT_EQ(out, "\r\033[Krows 10/10 done\n");
  out.clear();
  line.write_log("after\n");
  EXPECT_EQ(out, "after\n");
}

TEST(ProgressLine, FailedFigureCountsRowsNotAttempts) {
  engine::FailedRows failed;
  failed.record("a", false);
  failed.record("a", false);  // the same row failing again
  failed.record("b", false);
  failed.record("c", true);
  EXPECT_EQ(failed.count(), 2);
  failed.record("b", true);  // retried and done
  EXPECT_EQ(failed.count(), 1);

  engine::Pricing pricing;
  std::map<std::string, std::int64_t, std::less<>> counters{{engine::counter::rows_selected, 10},
                                                            {engine::counter::rows_done, 4},
                                                            {engine::counter::rows_prepared, 10},
                                                            {engine::counter::rows_failed, 7}};  // attempts
  auto text = engine::progress_text(counters, failed.count(), seconds(10), pricing, "");
  EXPECT_TRUE(text.starts_with("rows 4/10 done, 1 failed |")) << text;
  EXPECT_NE(text.find("ETA 0:10"), std::string::npos) << "5 of 10 rows finished in 10 s: " << text;
}

TEST(Watchdog, GivesUpOnlyAfterFailingWithoutSuccessForTheLimit) {
  using Clock = services::EndpointHealth::Clock;
  auto t0 = Clock::now();
  services::EndpointHealth health;
  auto verdict = [&](Clock::time_point now) {
    return engine::give_up_verdict(health.snapshot(), now, seconds(2), "/provider (x)");
  };
  EXPECT_FALSE(verdict(t0 + seconds(100))) << "nothing failed";
  health.record_failure("https://api.example:443", "cannot connect to api.example:443: Connection refused",
                        t0);
  health.record_failure("https://api.example:443", "cannot connect to api.example:443: Connection refused",
                        t0 + seconds(1));
  EXPECT_FALSE(verdict(t0 + milliseconds(1999)));
  auto message = verdict(t0 + seconds(2));
  ASSERT_TRUE(message);
  EXPECT_EQ(
      *message,
      "/provider (x): gave up after 2 s without a successful call to https://api.example:443 (2 failed "
      "attempts; last error: cannot connect to api.example:443: Connection refused); check the endpoint and "
      "the network (run.give_up_after_s sets how long to keep trying), then run again to resume");
  health.record_success(t0 + seconds(3));
  EXPECT_FALSE(verdict(t0 + seconds(60))) << "a success ends the failures";
  health.record_failure("https://api.example:443", "HTTP 503", t0 + seconds(61));
  EXPECT_FALSE(verdict(t0 + seconds(62)));
  EXPECT_TRUE(verdict(t0 + seconds(63)));
}

TEST(Watchdog, CallsGiveUpOnceFromItsThread) {
  services::EndpointHealth health;
  health.record_failure("https://h", "down");
  std::atomic<int> calls{0};
  {
    engine::ProviderWatchdog watchdog(
        health, "/provider (x)", milliseconds(50), [&](const std::string&) { ++calls; }, milliseconds(10));
    std::this_thread::sleep_for(milliseconds(300));
  }
  EXPECT_EQ(calls.load(), 1);
}

TEST(OutputChecks, ColumnCollisions) {
  EXPECT_TRUE(engine::column_collisions({"artist", "song"}, {"energy", "mood"}).empty());
  auto found =
      engine::column_collisions({"artist", "energy", "_error"}, {"energy", "mood", "mood", "_status"});
  ASSERT_EQ(found.size(), 4u);
  EXPECT_NE(found[0].find("the input has a column named \"energy\", and the response schema has a property"),
            std::string::npos);
  EXPECT_NE(found[1].find("\"_error\", which pipehost adds to the output itself"), std::string::npos);
  EXPECT_NE(found[2].find("two output columns named \"mood\""), std::string::npos);
  EXPECT_NE(found[3].find("property named \"_status\""), std::string::npos);
}

TEST(OutputChecks, SameFileSeesThroughLinksDotsAndDotDots) {
  test::TempDir dir;
  test::write_file(dir.file("in.csv"), "a\n");
  std::filesystem::create_directories(dir.path() / "sub");
  std::filesystem::create_symlink(dir.file("in.csv"), dir.file("link.csv"));
  std::filesystem::create_directory_symlink(dir.path(), dir.file("sub/up"));
  EXPECT_TRUE(engine::same_file(dir.file("in.csv"), dir.path() / "./sub/../in.csv"));
  EXPECT_TRUE(engine::same_file(dir.file("in.csv"), dir.file("link.csv")));
  EXPECT_TRUE(engine::same_file(dir.file("in.csv"), dir.path() / "sub/up/in.csv"));
  EXPECT_FALSE(engine::same_file(dir.file("in.csv"), dir.file("out.csv")));
  // Not existing yet, but the same path once resolved.
  EXPECT_TRUE(engine::same_file(dir.file("new.csv"), dir.path() / "sub/up/new.csv"));
}

TEST(OutputChecks, WritabilityIsProbedNotGuessed) {
  test::TempDir dir;
  EXPECT_EQ(engine::unwritable_reason(dir.path() / "out.csv"), "");
  EXPECT_EQ(engine::unwritable_reason(dir.path() / "new/folders/out.csv"), "");
  test::write_file(dir.file("file"), "x");
  EXPECT_EQ(engine::unwritable_reason(dir.path() / "file/out.csv"), dir.file("file") + " is not a folder");
  EXPECT_EQ(engine::unwritable_reason(dir.path()), "it is a folder");
  EXPECT_TRUE(engine::unwritable_reason("/proc/out.csv").starts_with("cannot create files in /proc ("));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1) << "the probe cleans up";
}

}  // namespace
