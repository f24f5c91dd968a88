#include "engine/fingerprint.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <boost/json.hpp>
#include <openssl/evp.h>

namespace pipehost::engine {

namespace json = boost::json;

namespace {

// Every string in the section that names an existing file contributes the file's content.
void add_file_contents(const json::value& value, std::string& material) {
  if (value.is_string()) {
    std::error_code ec;
    std::filesystem::path path(std::string(value.get_string()));
    if (path.is_absolute() && std::filesystem::is_regular_file(path, ec)) {
      std::ifstream in(path, std::ios::binary);
      std::ostringstream content;
      content << in.rdbuf();
      material += "\nfile " + path.string() + " " + sha256_hex(content.str());
    }
  } else if (value.is_array()) {
    for (const auto& v : value.get_array()) add_file_contents(v, material);
  } else if (value.is_object()) {
    for (const auto& [k, v] : value.get_object()) add_file_contents(v, material);
  }
}

void add_section(const std::string& name, const std::string& config_json, std::string& material) {
  material += "\n" + name + " " + config_json;
  add_file_contents(json::parse(config_json), material);
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) out += hex[digest[i] >> 4], out += hex[digest[i] & 15];
  return out;
}

static std::string request_material(const Pipeline& pipeline, const std::string& model) {
  std::string material = "model " + model;
  if (pipeline.request)
    add_section("request " + pipeline.request->plugin->name(), pipeline.request->config_json, material);
  return material;
}

static std::string parser_material(const Pipeline& pipeline) {
  std::string material;
  if (pipeline.parser)
    add_section("parser " + pipeline.parser->plugin->name(), pipeline.parser->config_json, material);
  return material;
}

std::string request_fingerprint(const Pipeline& pipeline, const std::string& model) {
  return sha256_hex(request_material(pipeline, model)).substr(0, 16);
}

std::string parser_fingerprint(const Pipeline& pipeline) {
  return sha256_hex(parser_material(pipeline)).substr(0, 16);
}

std::string legacy_config_fingerprint(const Pipeline& pipeline, const std::string& model) {
  return sha256_hex(request_material(pipeline, model) + parser_material(pipeline)).substr(0, 16);
}

std::string request_content_hash(const std::vector<std::string>& user_parts) {
  // Length-prefixed, so ["ab", "c"] and ["a", "bc"] differ.
  std::string material;
  for (const auto& part : user_parts) material.append(std::to_string(part.size())).append(":").append(part);
  return sha256_hex(material).substr(0, 16);
}

}  // namespace pipehost::engine
