#include "emulator/anthropic/prompt_layout.hpp"

#include <string>

#include <boost/json.hpp>

#include "emulator/anthropic/anthropic_error.hpp"
#include "emulator/util/hash.hpp"

namespace pipehost::emulator::anthropic {

namespace json = boost::json;

namespace {

constexpr std::size_t kMaxBreakpoints = 4;

class LayoutBuilder {
 public:
  explicit LayoutBuilder(std::string_view model) {
    hash_.update(model);
    hash_.separator();
  }

  /// One block of the prompt; `where` names it in error messages.
  void add(std::string_view kind, const json::value& block, const std::string& where) {
    std::string canonical;
    const json::value* cache_control = nullptr;
    if (block.is_string()) {
      canonical = block.get_string();
    } else if (const json::object* object = block.if_object()) {
      json::object copy = *object;
      if (auto it = object->find("cache_control"); it != object->end() && !it->value().is_null()) {
        cache_control = &it->value();
      }
      copy.erase("cache_control");
      auto text = copy.find("text");
      auto type = copy.find("type");
      bool text_block =
          type != copy.end() && type->value() == "text" && text != copy.end() && text->value().is_string();
      canonical = text_block ? std::string(text->value().get_string()) : json::serialize(copy);
    } else {
      canonical = json::serialize(block);
    }
    bytes_ += canonical.size();
    hash_.update(kind);
    hash_.separator();
    hash_.update(canonical);
    hash_.separator();
    if (cache_control) mark(*cache_control, where + ".cache_control");
  }

  /// A breakpoint after the last block added so far.
  void mark(const json::value& cache_control, const std::string& where) {
    const json::object* object = cache_control.if_object();
    auto type = object ? object->find("type") : nullptr;
    if (!object || type == object->end() || type->value() != "ephemeral") {
      throw invalid_request(where + ": Input tag must be 'ephemeral'");
    }
    CacheBreakpoint breakpoint;
    if (auto ttl = object->find("ttl"); ttl != object->end()) {
      if (ttl->value() == "1h") {
        breakpoint.ttl = CacheTtl::one_hour;
      } else if (ttl->value() != "5m") {
        throw invalid_request(where + ".ttl: Input should be '5m' or '1h'");
      }
    }
    if (breakpoint.ttl == CacheTtl::one_hour && !layout_.breakpoints.empty() &&
        layout_.breakpoints.back().ttl == CacheTtl::five_minutes) {
      throw invalid_request(where + ": a ttl='1h' cache_control block must not come after a ttl='5m' one");
    }
    if (layout_.breakpoints.size() == kMaxBreakpoints) {
      throw invalid_request("A maximum of 4 blocks with cache_control may be provided. Found " +
                            std::to_string(kMaxBreakpoints + 1) + ".");
    }
    breakpoint.prefix_tokens = emulator_tokens(bytes_);
    breakpoint.prefix_hash = hash_.value();
    layout_.breakpoints.push_back(breakpoint);
  }

  bool empty() const { return bytes_ == 0; }

  PromptLayout finish() {
    layout_.total_tokens = emulator_tokens(bytes_);
    return std::move(layout_);
  }

 private:
  ContentHash hash_;
  std::size_t bytes_ = 0;
  PromptLayout layout_;
};

const json::array* array_member(const json::object& object, std::string_view name) {
  auto it = object.find(name);
  return it == object.end() ? nullptr : it->value().if_array();
}

}  // namespace

std::int64_t emulator_tokens(std::size_t bytes) {
  return static_cast<std::int64_t>((bytes + 3) / 4);
}

PromptLayout layout_prompt(const json::object& params) {
  auto model = params.find("model");
  LayoutBuilder builder(model != params.end() && model->value().is_string()
                            ? std::string_view(model->value().get_string())
                            : std::string_view());
  if (const json::array* tools = array_member(params, "tools")) {
    for (std::size_t i = 0; i < tools->size(); ++i)
      builder.add("tool", (*tools)[i], "tools." + std::to_string(i));
  }
  if (auto system = params.find("system"); system != params.end()) {
    if (system->value().is_string()) {
      builder.add("system", system->value(), "system");
    } else if (const json::array* blocks = system->value().if_array()) {
      for (std::size_t i = 0; i < blocks->size(); ++i)
        builder.add("system", (*blocks)[i], "system." + std::to_string(i));
    }
  }
  if (const json::array* messages = array_member(params, "messages")) {
    for (std::size_t m = 0; m < messages->size(); ++m) {
      const json::object* message = (*messages)[m].if_object();
      if (!message) continue;
      std::string role = "user";
      if (auto it = message->find("role"); it != message->end() && it->value().is_string())
        role = it->value().get_string();
      auto content = message->find("content");
      if (content == message->end()) continue;
      std::string where = "messages." + std::to_string(m) + ".content";
      if (const json::array* blocks = content->value().if_array()) {
        for (std::size_t b = 0; b < blocks->size(); ++b)
          builder.add(role, (*blocks)[b], where + "." + std::to_string(b));
      } else {
        builder.add(role, content->value(), where);
      }
    }
  }
  if (auto automatic = params.find("cache_control");
      automatic != params.end() && !automatic->value().is_null() && !builder.empty()) {
    builder.mark(automatic->value(), "cache_control");
  }
  return builder.finish();
}

}  // namespace pipehost::emulator::anthropic
