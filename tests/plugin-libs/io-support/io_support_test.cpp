// io-support: the input window's memory promise, UTF-8 validation and repair, message text and
// atomic output files.
#include <fstream>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "io_support/atomic_output_file.hpp"
#include "io_support/byte_input.hpp"
#include "io_support/input_window.hpp"
#include "io_support/message_text.hpp"
#include "io_support/utf8.hpp"
#include "test_host.hpp"

namespace pipehost::io {
namespace {

TEST(InputWindow, KeepsItsSizeWhileConsumingAndGrowsOnlyForLongPieces) {
  std::string data(1 << 20, 'x');
  InputWindow window(std::make_unique<MemoryInput>(data), 4096, 1 << 16);
  std::size_t total = 0;
  while (!window.eof()) {
    ASSERT_TRUE(window.fill_more());
    total += static_cast<std::size_t>(window.end() - window.begin());
    window.consume_to(window.end());
  }
  EXPECT_EQ(total, data.size());
  EXPECT_EQ(window.capacity(), 4096u) << "reading 1 MB in small pieces never grows the buffer";
  EXPECT_EQ(window.offset(), data.size());

  InputWindow unconsumed(std::make_unique<MemoryInput>(data), 4096, 1 << 16);
  while (unconsumed.fill_more() && !unconsumed.eof()) {
  }
  EXPECT_EQ(unconsumed.capacity(), std::size_t{1} << 16) << "a piece longer than the limit stops growth";
  EXPECT_EQ(static_cast<std::size_t>(unconsumed.end() - unconsumed.begin()), std::size_t{1} << 16);
}

TEST(AtomicOutputFile, RemovesTemporaryFilesOfDeadProcessesOnly) {
  pipehost::test::TempDir dir;
  std::string path = (dir.path() / "out.csv").string();
  pid_t dead = ::fork();
  ASSERT_GE(dead, 0);
  if (dead == 0) ::_exit(0);
  ASSERT_EQ(::waitpid(dead, nullptr, 0), dead);  // reaped: its pid names no process now
  std::string stale = path + ".tmp-" + std::to_string(dead);
  std::string live = path + ".tmp-1";  // init: always alive
  std::string unrelated = path + ".tmp-notes";
  for (const auto& name : {stale, live, unrelated}) std::ofstream(name) << "x";

  AtomicOutputFile file(path);
  EXPECT_FALSE(std::filesystem::exists(stale)) << "a killed run's temporary output is removed";
  EXPECT_TRUE(std::filesystem::exists(live)) << "a live process may still be writing it";
  EXPECT_TRUE(std::filesystem::exists(unrelated));
}

TEST(Utf8, FindsTheFirstInvalidByte) {
  EXPECT_EQ(find_invalid_utf8("plain ascii that is longer than eight bytes"), std::string_view::npos);
  EXPECT_EQ(find_invalid_utf8("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x8E\xB5\xF4\x8F\xBF\xBF\xEF\xBF\xBF"),
            std::string_view::npos);
  EXPECT_EQ(find_invalid_utf8("0123456789\xC0\xAF"), 10u) << "overlong";
  EXPECT_EQ(find_invalid_utf8("ab\xED\xA0\x80"), 2u) << "surrogate";
  EXPECT_EQ(find_invalid_utf8("ab\xF4\x90\x80\x80"), 2u) << "above U+10FFFF";
  EXPECT_EQ(find_invalid_utf8("abc\xE2\x82"), 3u) << "truncated";
  EXPECT_EQ(find_invalid_utf8("\x80"), 0u) << "lone continuation";
  EXPECT_EQ(find_invalid_utf8("\xE0\x9F\x80"), 0u) << "overlong 3-byte";
  EXPECT_EQ(find_invalid_utf8("\xF0\x8F\x80\x80"), 0u) << "overlong 4-byte";
}

TEST(Utf8, ReplacesMaximalSubparts) {
  // The example of Unicode 15, section 3.9 (Table 3-8): 61 F1 80 80 E1 80 C2 62 80 63 80 BF 64
  // becomes a, U+FFFD x3, b, U+FFFD, c, U+FFFD x2, d.
  std::string text = "\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64";
  const std::string r(kReplacementCharacter);
  EXPECT_TRUE(replace_invalid_utf8(text));
  EXPECT_EQ(text, "a" + r + r + r + "b" + r + "c" + r + r + "d");
  EXPECT_FALSE(replace_invalid_utf8(text));
  EXPECT_EQ(count_characters("a\xC3\xA9\xFF"
                             "b"),
            4u);
}

TEST(MessageText, QuotesAndShortens) {
  EXPECT_EQ(quote_for_message("a \"b\"\n\x01"), "\"a \\\"b\\\"\\n\\u0001\"");
  std::string long_text(100, 'x');
  EXPECT_EQ(quote_for_message(long_text), "\"" + std::string(80, 'x') + "...\"");
  EXPECT_EQ(describe_byte('q'), "'q'");
  EXPECT_EQ(describe_byte(0xE9), "0xE9");
  EXPECT_EQ(location("f.csv", 3, 7), "f.csv:3:7");
}

}  // namespace
}  // namespace pipehost::io
