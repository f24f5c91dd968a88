#include "emulator/openai/result_file.hpp"

#include "emulator/util/shuffle.hpp"

namespace pipehost::emulator::openai {

namespace {
constexpr std::size_t kShuffleChunk = 256;
}

ResultFile::ResultFile(FileStore& files, std::string filename, SplitMix64& order)
    : files_(files), filename_(std::move(filename)), order_(order) {
  chunk_.reserve(kShuffleChunk);
}

void ResultFile::add(std::string line) {
  chunk_.push_back(std::move(line));
  if (chunk_.size() == kShuffleChunk) flush();
}

void ResultFile::flush() {
  if (chunk_.empty()) return;
  if (!out_.is_open()) {
    file_.id = files_.new_id();
    file_.path = files_.path_for(file_.id);
    part_path_ = file_.path;
    part_path_ += ".part";
    out_.open(part_path_, std::ios::binary | std::ios::trunc);
    if (!out_) throw std::runtime_error("cannot write " + part_path_.string());
  }
  shuffle_not_in_order(chunk_, order_);
  for (auto& line : chunk_) {
    line.push_back('\n');
    out_.write(line.data(), static_cast<std::streamsize>(line.size()));
    file_.bytes += line.size();
  }
  chunk_.clear();
}

std::string ResultFile::finish() {
  flush();
  if (!out_.is_open()) return {};
  out_.close();
  if (!out_) throw std::runtime_error("cannot write " + part_path_.string());
  std::filesystem::rename(part_path_, file_.path);
  file_.filename = filename_;
  file_.purpose = "batch_output";
  file_.created = WallClock::now();
  files_.add(file_);
  return file_.id;
}

}  // namespace pipehost::emulator::openai
