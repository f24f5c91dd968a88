// The real songs export (shared/data/songs, see SOURCES.md): 5,946 rows, R-style quoting of every
// text field. It reads completely and survives sink -> source unchanged (record-identical: the file
// quotes more than canonical form does, so bytes differ; the rewrite is canonical and stable).
#include <set>

#include <gtest/gtest.h>

#include "csv_test_util.hpp"

namespace pipehost::csv::test {
namespace {

using pipehost::test::read_file;
using pipehost::test::TempDir;

std::string songs_path() {
  return std::string(PIPEHOST_SHARED_DIR) + "/data/songs/pudding_names_in_songs_repeats.csv";
}

TEST(CsvSongs, ReadsAllRowsWithTheRightColumns) {
  Table songs = read_file_with_source(songs_path());
  EXPECT_EQ(songs.columns, (std::vector<std::string>{"artist", "song", "person", "name", "n"}));
  ASSERT_EQ(songs.rows.size(), 5946u);
  EXPECT_EQ(songs.rows[0].values,
            (std::vector<std::string>{"Tyga Featuring Cedric Gervais, Wiz Khalifa & Mally Mall", "Molly",
                                      "FALSE", "Molly", "113"}));
  EXPECT_EQ(songs.rows[0].key, "1");
  EXPECT_EQ(songs.rows[0].line, 2u);
  EXPECT_EQ(songs.rows.back().key, "5946");
  EXPECT_EQ(songs.rows.back().line, 5947u);
  std::size_t with_quotes = 0;
  for (const Row& row : songs.rows) with_quotes += row.values[0].as_string().find('"') != std::string::npos;
  EXPECT_GT(with_quotes, 0u) << "escaped quotes are unescaped";
}

TEST(CsvSongs, RoundTripsThroughSinkAndSource) {
  Table songs = read_file_with_source(songs_path());
  TempDir dir;
  write_file_with_sink(dir.file("songs.csv"), songs);
  Table back = read_file_with_source(dir.file("songs.csv"));
  EXPECT_EQ(back.columns, songs.columns);
  EXPECT_EQ(back.values(), songs.values());
  EXPECT_EQ(back.keys(), songs.keys());
  // The canonical rewrite is a fixed point, and smaller than R's quote-everything original.
  write_file_with_sink(dir.file("again.csv"), back);
  EXPECT_EQ(read_file(dir.file("again.csv")), read_file(dir.file("songs.csv")));
  EXPECT_LT(read_file(dir.file("songs.csv")).size(), read_file(songs_path()).size());
}

TEST(CsvSongs, ReadsWithArtistAsKeyAndRepeatsPassedOn) {
  // No column is unique in this file: with artist as the key, repeated artists reach the host, which
  // refuses them or numbers them (run.allow_duplicate_keys).
  auto songs = read_file_with_source(songs_path(), {{"key", "artist"}});
  auto keys = songs.keys();
  std::set<std::string> distinct(keys.begin(), keys.end());
  EXPECT_LT(distinct.size(), keys.size()) << "artists repeat";
  EXPECT_EQ(keys.size(), read_file_with_source(songs_path()).keys().size()) << "every row is read";
}

}  // namespace
}  // namespace pipehost::csv::test
