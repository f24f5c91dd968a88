#include "emulator/gemini/grounding.hpp"

#include <cctype>
#include <cmath>

#include "emulator/gemini/google_error.hpp"
#include "emulator/util/hash.hpp"
#include "emulator/util/json_util.hpp"

namespace pipehost::emulator {

namespace {

constexpr const char* kQuerySuffixes[] = {"release year", "genre", "album"};
constexpr const char* kDomains[] = {"wikipedia.org", "allmusic.com", "discogs.com",
                                    "billboard.com", "genius.com",   "rollingstone.com"};
constexpr std::size_t kDomainCount = sizeof kDomains / sizeof kDomains[0];
constexpr std::size_t kMaxTopicWords = 8;

/// A line's value with punctuation turned into spaces and runs of spaces collapsed.
std::string clean(std::string_view text) {
  std::string out;
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    bool keep = std::isalnum(byte) || byte >= 0x80 || c == '&' || c == '\'' || c == '-' || c == '.';
    if (keep) {
      out.push_back(c);
    } else if (!out.empty() && out.back() != ' ') {
      out.push_back(' ');
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string search_topic(std::string_view user_text) {
  std::string topic;
  int pieces = 0;
  while (!user_text.empty() && pieces < 2) {
    std::size_t end = user_text.find('\n');
    std::string_view line = user_text.substr(0, end);
    user_text = end == std::string_view::npos ? std::string_view() : user_text.substr(end + 1);
    std::size_t colon = line.find(": ");
    std::string value = clean(colon == std::string_view::npos ? line : line.substr(colon + 2));
    if (value.empty()) continue;
    if (!topic.empty()) topic.push_back(' ');
    topic += value;
    ++pieces;
  }
  std::size_t words = 0;
  for (std::size_t i = 0; i < topic.size(); ++i) {
    if (topic[i] == ' ' && ++words == kMaxTopicWords) {
      topic.resize(i);
      break;
    }
  }
  return topic.empty() ? "search" : topic;
}

std::string url_encode(std::string_view text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(c);
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      out += {'%', kHex[byte >> 4], kHex[byte & 15]};
    }
  }
  return out;
}

std::string html_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

/// The opaque redirect token of a grounding chunk uri (base64url alphabet, like the real ones).
std::string redirect_token(SplitMix64& random) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string token = "AUZIYQ";
  while (token.size() < 96) {
    std::uint64_t bits = random.next();
    for (int i = 0; i < 10; ++i, bits >>= 6) token.push_back(kAlphabet[bits & 63]);
  }
  return token;
}

/// The HTML the real API asks apps to show next to a grounded answer: one chip per query.
std::string rendered_entry_point(const std::vector<std::string>& queries) {
  std::string html =
      "<style>\n.container { align-items: center; border-radius: 8px; display: flex; font-family: Google "
      "Sans, Roboto, sans-serif; font-size: 14px; padding: 0 12px; }\n.chip { display: inline-block; "
      "border: solid 1px; border-radius: 16px; padding: 5px 16px; margin: 0 8px; text-decoration: none; "
      "}\n</style>\n<div class=\"container\">\n  <div class=\"headline\">Google</div>\n  <div "
      "class=\"carousel\">\n";
  for (const auto& query : queries) {
    html += "    <a class=\"chip\" href=\"https://www.google.com/search?q=" + url_encode(query) +
            "&amp;client=app-vertex-grounding&amp;safesearch=active\">" + html_escape(query) + "</a>\n";
  }
  html += "  </div>\n</div>\n";
  return html;
}

/// Where the answer splits into two supported segments: the first space or comma at or after its
/// middle (ASCII, so never inside a UTF-8 sequence), or its end.
std::size_t split_point(std::string_view answer) {
  std::size_t at = answer.find_first_of(" ,", answer.size() / 2);
  return at == std::string_view::npos ? answer.size() : at + 1;
}

json::object support(std::string_view answer, std::size_t begin, std::size_t end, json::array indices,
                     SplitMix64& random) {
  json::object segment;
  // proto3 JSON omits zero values, so the real API leaves out startIndex 0.
  if (begin > 0) segment["startIndex"] = begin;
  segment["endIndex"] = end;
  segment["text"] = answer.substr(begin, end - begin);
  json::array scores;
  for (std::size_t i = 0; i < indices.size(); ++i)
    scores.push_back(std::round((0.6 + 0.39 * random.uniform()) * 100) / 100);
  return json::object{{"segment", std::move(segment)},
                      {"groundingChunkIndices", std::move(indices)},
                      {"confidenceScores", scores}};
}

}  // namespace

bool wants_google_search(const json::object& request) {
  const json::value* tools = find_any(request, {"tools"});
  if (!tools || !tools->is_array()) return false;
  for (const auto& tool : tools->get_array()) {
    if (const json::object* object = tool.if_object();
        object && find_any(*object, {"googleSearch", "google_search", "googleSearchRetrieval",
                                     "google_search_retrieval"})) {
      return true;
    }
  }
  return false;
}

std::vector<std::string> web_search_queries(std::string_view user_text, std::uint64_t hash) {
  std::string topic = search_topic(user_text);
  std::size_t count = 1 + mix64(hash ^ 0x5EA4C8) % 3;
  std::vector<std::string> queries;
  for (std::size_t i = 0; i < count; ++i) queries.push_back(topic + " " + kQuerySuffixes[i]);
  return queries;
}

json::object grounding_metadata(const std::vector<std::string>& queries, std::uint64_t hash,
                                std::string_view answer) {
  SplitMix64 random(mix64(hash ^ 0x6C0DED));
  std::size_t first_domain = random.below(kDomainCount);
  std::size_t chunk_count = queries.size() + 1;  // 2..4 sources
  json::array chunks;
  for (std::size_t i = 0; i < chunk_count; ++i) {
    std::string domain = kDomains[(first_domain + i) % kDomainCount];
    chunks.push_back(json::object{
        {"web", json::object{{"uri", "https://vertexaisearch.cloud.google.com/grounding-api-redirect/" +
                                         redirect_token(random)},
                             {"title", domain}}}});
  }
  json::array supports;
  if (!answer.empty()) {
    std::size_t middle = split_point(answer);
    supports.push_back(support(answer, 0, middle, json::array{0, 1}, random));
    if (middle < answer.size())
      supports.push_back(support(answer, middle, answer.size(), json::array{chunk_count - 1}, random));
  }
  json::array query_list;
  for (const auto& query : queries) query_list.push_back(json::string(query));
  json::object metadata;
  metadata["searchEntryPoint"] = json::object{{"renderedContent", rendered_entry_point(queries)}};
  metadata["groundingChunks"] = std::move(chunks);
  metadata["groundingSupports"] = std::move(supports);
  metadata["webSearchQueries"] = std::move(query_list);
  return metadata;
}

json::object grounding_quota_status(std::string_view model, double retry_delay_s) {
  std::string message =
      "You exceeded your current quota, please check your plan and billing details. For more information "
      "on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.\n* Quota exceeded for "
      "metric: generativelanguage.googleapis.com/search_grounding_requests, limit: 1500, model: " +
      std::string(model);
  json::object dimensions{{"location", "global"}, {"model", model}};
  return json::object{
      {"code", 429},
      {"message", message},
      {"status", "RESOURCE_EXHAUSTED"},
      {"details", quota_failure_details("generativelanguage.googleapis.com/search_grounding_requests",
                                        "SearchGroundingRequestsPerDayPerProjectPerModel", retry_delay_s,
                                        std::move(dimensions), "1500")}};
}

}  // namespace pipehost::emulator
