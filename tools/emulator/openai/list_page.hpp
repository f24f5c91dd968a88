// The cursor pages OpenAI's list routes answer: {object:"list", data, first_id, last_id, has_more},
// paged with `after` (the id of the last object seen) and `limit`.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include <boost/json.hpp>

namespace pipehost::emulator::openai {

/// The page of `items` (already in list order) after the one whose id is `after` (from the start
/// when empty; an unknown id gives an empty page), at most `limit` long.
template <class T, class IdOf, class ToJson>
boost::json::object list_page(const std::vector<T>& items, const std::string& after, std::size_t limit,
                              IdOf id_of, ToJson to_json) {
  std::size_t start = 0;
  if (!after.empty()) {
    auto it = std::find_if(items.begin(), items.end(), [&](const T& item) { return id_of(item) == after; });
    start = it == items.end() ? items.size() : static_cast<std::size_t>(it - items.begin()) + 1;
  }
  std::size_t end = std::min(items.size(), start + limit);
  boost::json::array data;
  for (std::size_t i = start; i < end; ++i) data.push_back(to_json(items[i]));
  boost::json::object out;
  out["object"] = "list";
  out["data"] = std::move(data);
  out["first_id"] = start < end ? boost::json::value(id_of(items[start])) : boost::json::value(nullptr);
  out["last_id"] = start < end ? boost::json::value(id_of(items[end - 1])) : boost::json::value(nullptr);
  out["has_more"] = end < items.size();
  return out;
}

}  // namespace pipehost::emulator::openai
