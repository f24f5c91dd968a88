// Suggestions for misspelt names ("did you mean ...?") in config errors.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pipehost::config {

/// Edit distance (insertions, deletions, substitutions, adjacent transpositions).
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate closest to `word` if it is close enough to be a likely typo, else empty.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

/// " (did you mean \"x\"?)" when a close candidate exists, else empty.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace pipehost::config
