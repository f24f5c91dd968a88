// BrainTrust row merge semantics (`_is_merge: true`): objects merge recursively, scalars and arrays
// overwrite, the top-level `tags` array is set-unioned, `_merge_paths` stops the recursion at the
// given paths (the new value replaces the old one there).
#pragma once

#include <string>
#include <vector>

#include <boost/json.hpp>

namespace pipehost::emulator {

using MergePath = std::vector<std::string>;

/// Merges `update` into `row` in place.
void merge_row(boost::json::object& row, const boost::json::object& update,
               const std::vector<MergePath>& merge_paths = {});

/// `_array_delete`: [{"path":["tags"],"delete":["a"]}] removes those values from the arrays.
void apply_array_delete(boost::json::object& row, const boost::json::array& deletions);

}  // namespace pipehost::emulator
