#include "net/line_splitter.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace pipehost::net {
namespace {

std::vector<std::string> split_in_pieces(const std::string& text, std::size_t piece) {
  std::vector<std::string> lines;
  LineSplitter splitter([&](std::string_view line) {
    lines.emplace_back(line);
    return Status::ok();
  });
  for (std::size_t i = 0; i < text.size(); i += piece) {
    EXPECT_TRUE(splitter.feed(std::string_view(text).substr(i, piece)).is_ok());
  }
  EXPECT_TRUE(splitter.finish().is_ok());
  return lines;
}

TEST(NetLineSplitter, SplitsWhateverThePieceSize) {
  std::string text = "alpha\nbeta\r\n\ngamma";
  std::vector<std::string> expected = {"alpha", "beta", "", "gamma"};
  for (std::size_t piece : {1, 2, 3, 5, 7, 100}) {
    EXPECT_EQ(split_in_pieces(text, piece), expected) << "piece " << piece;
  }
}

TEST(NetLineSplitter, TrailingNewlineGivesNoEmptyLine) {
  EXPECT_EQ(split_in_pieces("a\nb\n", 1), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(split_in_pieces("", 1).empty());
}

TEST(NetLineSplitter, CrLfSplitAcrossPieces) {
  // The '\r' ends one piece and the '\n' starts the next.
  EXPECT_EQ(split_in_pieces("one\r\ntwo\r\n", 4), (std::vector<std::string>{"one", "two"}));
}

TEST(NetLineSplitter, LongLines) {
  std::string long_line(3 * 1024 * 1024, 'x');
  auto lines = split_in_pieces(long_line + "\nshort\n" + long_line, 64 * 1024);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], long_line);
  EXPECT_EQ(lines[1], "short");
  EXPECT_EQ(lines[2], long_line);
}

TEST(NetLineSplitter, CallbackErrorStopsEverything) {
  int calls = 0;
  LineSplitter splitter([&](std::string_view) {
    ++calls;
    return calls == 2 ? Status::fatal("stop here") : Status::ok();
  });
  Status status = splitter.feed("a\nb\nc\nd");
  EXPECT_TRUE(status.is_fatal());
  EXPECT_EQ(status.message(), "stop here");
  EXPECT_TRUE(splitter.feed("e\n").is_fatal());
  EXPECT_TRUE(splitter.finish().is_fatal());
  EXPECT_EQ(calls, 2);
}

}  // namespace
}  // namespace pipehost::net
