#include "emulator/util/time_format.hpp"

#include <cstdio>
#include <ctime>

namespace pipehost::emulator {

namespace {
std::string format(WallClock::time_point when, bool micros) {
  auto since_epoch = std::chrono::duration_cast<std::chrono::microseconds>(when.time_since_epoch());
  std::time_t seconds = static_cast<std::time_t>(since_epoch.count() / 1000000);
  long fraction = static_cast<long>(since_epoch.count() % 1000000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[64];
  if (micros) {
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, fraction);
  } else {
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, fraction / 1000);
  }
  return text;
}
}  // namespace

std::string rfc3339(WallClock::time_point when) {
  return format(when, true);
}
std::string iso8601_millis(WallClock::time_point when) {
  return format(when, false);
}

}  // namespace pipehost::emulator
