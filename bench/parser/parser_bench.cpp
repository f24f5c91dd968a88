// Throughput of the markdown-json-parser hot path (extract + validate + map) on one core, with answers
// like the songs job's: 1-2 KB JSON objects, a third of them in a ```json fence with prose around.
//
//   parser_bench [answers_to_parse=600000] [distinct_answers=3000]
//
// Prints answers/s and MB/s per CPU-second of the measuring thread (robust on a shared machine; wall
// time is shown too), overall and per answer shape. Peak RSS: run it under /usr/bin/time -v.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <time.h>
#include <vector>

#include "markdown_json_parser.hpp"
#include "response_schema.hpp"

namespace {

using pipehost::markdown_json::AnswerParser;
using pipehost::markdown_json::ResponseSchema;

constexpr const char* kSongsSchema = R"({
  "type": "OBJECT",
  "properties": {
    "genre": {"type": "STRING", "description": "Main genre"},
    "subgenres": {"type": "ARRAY", "items": {"type": "STRING"}, "maxItems": 3},
    "energy": {"type": "STRING", "enum": ["High", "Medium", "Low"]},
    "mood": {"type": "STRING"},
    "accessibility": {"type": "STRING", "enum": ["Eclectic", "Timeless", "Commercial", "Cheesy"]},
    "era": {"type": "STRING"},
    "reasoning": {"type": "STRING"},
    "context": {"type": "STRING"}
  },
  "required": ["genre", "subgenres", "energy", "mood", "accessibility", "era", "reasoning"]
})";

/// Builds song-classification answers the way models write them: the bare object (compact or
/// pretty-printed) two times out of three, a ```json fence with prose around it otherwise.
class AnswerGenerator {
 public:
  explicit AnswerGenerator(unsigned seed) : random_(seed) {}

  std::string next(bool fenced) {
    const bool pretty = pick(2) == 0;
    const char* nl = pretty ? "\n  " : "";
    const char* sep = pretty ? ": " : ":";
    std::string object = "{";
    object += nl;
    field(object, "genre", one_of(kGenres), sep, nl);
    object += std::string("\"subgenres\"") + sep + "[";
    const std::size_t count = 1 + pick(3);
    for (std::size_t i = 0; i < count; ++i)
      object += (i ? ", \"" : "\"") + std::string(one_of(kSubgenres)) + "\"";
    object += std::string("],") + nl;
    field(object, "energy", one_of(kEnergy), sep, nl);
    field(object, "mood", one_of(kMoods), sep, nl);
    field(object, "accessibility", one_of(kAccessibility), sep, nl);
    field(object, "era", one_of(kEras), sep, nl);
    field(object, "reasoning", sentences(700 + pick(700)), sep, nl);
    object += std::string("\"context\"") + sep + "\"" + sentences(150 + pick(250)) + "\"";
    object += pretty ? "\n}" : "}";
    if (!fenced) return object;
    return std::string(one_of(kIntros)) + "```json\n" + object + "\n```" + one_of(kOutros);
  }

 private:
  static constexpr const char* kGenres[] = {"Rock",    "Pop",  "Hip Hop", "R&B",
                                            "Country", "Soul", "Funk",    "Disco"};
  static constexpr const char* kSubgenres[] = {"Hard Rock", "Soft Rock",      "Dance-Pop", "Trap",
                                               "Neo Soul",  "Outlaw Country", "Synth-pop", "Motown",
                                               "Boom Bap",  "Yacht Rock"};
  static constexpr const char* kEnergy[] = {"High", "Medium", "Low"};
  static constexpr const char* kMoods[] = {"Joyful", "Melancholic", "Defiant", "Romantic", "Nostalgic"};
  static constexpr const char* kAccessibility[] = {"Eclectic", "Timeless", "Commercial", "Cheesy"};
  static constexpr const char* kEras[] = {"1960s", "1970s", "1980s", "1990s", "2000s", "2010s"};
  static constexpr const char* kIntros[] = {"", "Here is the classification:\n\n",
                                            "Sure! Based on the artist and title, here is my analysis.\n"};
  static constexpr const char* kOutros[] = {"", "\n", "\n\nLet me know if you want more detail on the era."};
  static constexpr const char* kWords[] = {"the",       "song",   "chart",       "\\\"hook\\\"",   "groove",
                                           "lyrics",    "ballad", "producer",    "release",        "radio",
                                           "guitar",    "synth",  "chorus",      "decade",         "audience",
                                           "influence", "tempo",  "caf\xC3\xA9", "Beyonc\xC3\xA9", "band",
                                           "vocals\\n", "anthem", "sampled",     "billboard"};

  std::size_t pick(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(random_); }
  template <std::size_t N>
  const char* one_of(const char* const (&items)[N]) {
    return items[pick(N)];
  }

  std::string sentences(std::size_t bytes) {
    std::string text;
    while (text.size() < bytes) {
      text += one_of(kWords);
      text += pick(9) == 0 ? ". " : " ";
    }
    return text;
  }

  static void field(std::string& out, const char* name, const std::string& value, const char* sep,
                    const char* nl) {
    out += "\"";
    out += name;
    out += "\"";
    out += sep;
    out += "\"" + value + "\",";
    out += nl;
  }

  std::mt19937 random_;
};

/// CPU time of this thread: the machine is shared, so wall time would also count other processes' turns.
double thread_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

struct Measurement {
  double seconds = 0;  ///< thread CPU time
  double wall_seconds = 0;
  std::size_t answers = 0;
  std::size_t bytes = 0;
  std::size_t failed = 0;
};

Measurement measure(const AnswerParser& parser, const std::vector<std::string>& answers, std::size_t total) {
  std::vector<pipehost::Value> fields;
  Measurement m;
  const auto wall_start = std::chrono::steady_clock::now();
  const double cpu_start = thread_cpu_seconds();
  for (std::size_t i = 0; i < total; ++i) {
    const std::string& answer = answers[i % answers.size()];
    if (!parser.parse(answer, fields)) ++m.failed;
    m.bytes += answer.size();
  }
  m.seconds = thread_cpu_seconds() - cpu_start;
  m.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  m.answers = total;
  return m;
}

void report(const char* label, const Measurement& m) {
  std::printf(
      "%-20s %8zu answers  cpu %6.3f s  %8.0f answers/s  %6.1f MB/s  (wall %6.3f s)  avg %4zu B  failed "
      "%zu\n",
      label, m.answers, m.seconds, m.answers / m.seconds, m.bytes / m.seconds / 1e6, m.wall_seconds,
      m.bytes / m.answers, m.failed);
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t total = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 600000;
  const std::size_t distinct = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 3000;

  const AnswerParser parser(ResponseSchema::parse(kSongsSchema, "songs schema"), "; ", {});
  AnswerGenerator generator(20240611);
  std::vector<std::string> mixed, bare, fenced;
  for (std::size_t i = 0; i < distinct; ++i) {
    const bool is_fenced = i % 3 == 2;
    mixed.push_back(generator.next(is_fenced));
    (is_fenced ? fenced : bare).push_back(mixed.back());
  }

  measure(parser, mixed, distinct);  // warm-up
  std::printf("songs-like answers, %zu distinct, one thread\n", distinct);
  report("mixed (1/3 fenced)", measure(parser, mixed, total));
  report("bare only", measure(parser, bare, total / 2));
  report("fenced only", measure(parser, fenced, total / 2));
  return 0;
}
