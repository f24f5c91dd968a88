#include "services/status_line.hpp"

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <sys/ioctl.h>
#include <unistd.h>

namespace pipehost::services {

namespace {

constexpr std::string_view kClearLine = "\r\033[K";
constexpr std::size_t kDefaultWidth = 80;

}  // namespace

StatusLine::StatusLine(std::function<void(std::string_view)> write) : write_(std::move(write)) {}

StatusLine& StatusLine::on_stderr() {
  static StatusLine line([](std::string_view text) {
    std::fwrite(text.data(), 1, text.size(), stderr);
    std::fflush(stderr);
  });
  return line;
}

void StatusLine::show(std::string_view text) {
  std::lock_guard lock(mutex_);
  shown_ = text;
  active_ = true;
  write_(std::string(kClearLine) + shown_);
}

void StatusLine::finish(std::string_view text) {
  std::lock_guard lock(mutex_);
  write_(std::string(kClearLine) + std::string(text) + "\n");
  shown_.clear();
  active_ = false;
}

void StatusLine::write_log(std::string_view line) {
  std::lock_guard lock(mutex_);
  if (!active_) {
    write_(line);
    return;
  }
  // One write, so nothing else can land between clearing and redrawing.
  write_(std::string(kClearLine) + std::string(line) + shown_);
}

std::size_t terminal_width(int fd) {
  winsize size{};
  if (::ioctl(fd, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  if (const char* columns = std::getenv("COLUMNS")) {
    std::size_t width = 0;
    std::string_view text(columns);
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), width);
    if (ec == std::errc{} && end == text.data() + text.size() && width > 0) return width;
  }
  return kDefaultWidth;
}

std::string fit_to_width(std::string_view text, std::size_t width) {
  std::size_t limit = width > 1 ? width - 1 : 1;
  std::size_t characters = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    bool starts_character = (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
    if (!starts_character) continue;
    if (characters == limit) return std::string(text.substr(0, i));
    ++characters;
  }
  return std::string(text);
}

}  // namespace pipehost::services
