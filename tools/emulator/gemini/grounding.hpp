// Grounding with Google Search, emulated: a request whose `tools` ask for Google Search gets a
// `groundingMetadata` on its candidate, shaped like the real API's (webSearchQueries,
// groundingChunks, groundingSupports, searchEntryPoint). Everything is derived from the request's
// user text and hash, so it is deterministic per (key, request) like the answer itself.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

namespace pipehost::emulator {

/// True when `tools` holds a Google Search tool: {"googleSearch":{}} or the older spellings
/// google_search, googleSearchRetrieval, google_search_retrieval.
bool wants_google_search(const boost::json::object& request);

/// The 1-3 queries the emulated model searched for: "<topic> release year", then "<topic> genre",
/// then "<topic> album", where <topic> is the values of the first two non-empty lines of the user
/// text (the text after "Label: " when a line has one), at most 8 words; how many by hash.
std::vector<std::string> web_search_queries(std::string_view user_text, std::uint64_t hash);

/// groundingMetadata for `answer` (the candidate's final text; supports index its bytes).
boost::json::object grounding_metadata(const std::vector<std::string>& queries, std::uint64_t hash,
                                       std::string_view answer);

/// The google.rpc.Status of a request refused by the search grounding quota (grounding_429 fault):
/// 429 RESOURCE_EXHAUSTED with QuotaFailure (quotaId SearchGroundingRequestsPerDayPerProjectPerModel),
/// Help and RetryInfo details.
boost::json::object grounding_quota_status(std::string_view model, double retry_delay_s);

}  // namespace pipehost::emulator
