// A batch's output or error file as it is written: lines are collected in chunks of 256 and each
// chunk is written in a seeded order that is never the input order (the real API does not keep
// order either), so memory stays bounded by one chunk. Nothing is created for a file that gets no
// line: the batch then reports a null output_file_id / error_file_id.
#pragma once

#include <fstream>
#include <string>
#include <vector>

#include "emulator/openai/file_store.hpp"
#include "emulator/util/hash.hpp"

namespace pipehost::emulator::openai {

class ResultFile {
 public:
  /// `filename` e.g. "batch_abc_output.jsonl"; `order` shuffles the chunks.
  ResultFile(FileStore& files, std::string filename, SplitMix64& order);

  void add(std::string line);
  /// Writes the last chunk and registers the file (purpose "batch_output"); its id, or "" when
  /// no line was added.
  std::string finish();

 private:
  void flush();

  FileStore& files_;
  std::string filename_;
  SplitMix64& order_;
  std::vector<std::string> chunk_;
  File file_;
  std::filesystem::path part_path_;
  std::ofstream out_;
};

}  // namespace pipehost::emulator::openai
