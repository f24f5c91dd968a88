#include "custom_id.hpp"

#include <array>
#include <cstdint>

namespace pipehost::anthropic {

namespace {

constexpr char kHex[] = "0123456789ABCDEF";
constexpr char kBase64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

bool kept_as_is(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;  // lower case is never written, so never read
}

int base64url_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

/// The readable form, or empty when it would exceed 64 characters.
std::string readable(std::string_view key) {
  std::string out;
  for (unsigned char c : key) {
    if (kept_as_is(c)) {
      out += static_cast<char>(c);
    } else if (c == '_') {
      out += "__";
    } else {
      out += '_';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
    if (out.size() > kMaxCustomIdLength) return {};
  }
  return out;
}

std::string compact(std::string_view key) {
  std::string out = "_z";
  std::uint32_t bits = 0;
  int count = 0;
  for (unsigned char c : key) {
    bits = (bits << 8) | c;
    count += 8;
    while (count >= 6) {
      count -= 6;
      out += kBase64Url[(bits >> count) & 63];
    }
  }
  if (count > 0) out += kBase64Url[(bits << (6 - count)) & 63];
  return out;
}

std::string hashed(std::string_view key) {
  // FNV-1a, 128 bits (offset basis and prime from the FNV specification).
  unsigned __int128 hash =
      (static_cast<unsigned __int128>(0x6c62272e07bb0142ull) << 64) | 0x62b821756295c58dull;
  const unsigned __int128 prime = (static_cast<unsigned __int128>(0x0000000001000000ull) << 64) | 0x13Bull;
  for (unsigned char c : key) {
    hash ^= c;
    hash *= prime;
  }
  std::string out = "_h";
  for (int shift = 124; shift >= 0; shift -= 4) out += kHex[static_cast<unsigned>(hash >> shift) & 15];
  return out;
}

bool decode_readable(std::string_view id, std::string& key) {
  std::string out;
  for (std::size_t i = 0; i < id.size(); ++i) {
    char c = id[i];
    if (kept_as_is(static_cast<unsigned char>(c))) {
      out += c;
      continue;
    }
    if (c != '_' || i + 1 >= id.size()) return false;
    if (id[i + 1] == '_') {
      out += '_';
      ++i;
      continue;
    }
    if (i + 2 >= id.size()) return false;
    int high = hex_value(id[i + 1]), low = hex_value(id[i + 2]);
    if (high < 0 || low < 0) return false;
    unsigned char byte = static_cast<unsigned char>(high * 16 + low);
    // Only bytes the encoder escapes may appear escaped: one key, one id.
    if (kept_as_is(byte) || byte == '_') return false;
    out += static_cast<char>(byte);
    i += 2;
  }
  key = std::move(out);
  return true;
}

bool decode_compact(std::string_view text, std::string& key) {
  std::string out;
  std::uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    int value = base64url_value(c);
    if (value < 0) return false;
    bits = (bits << 6) | static_cast<std::uint32_t>(value);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += static_cast<char>((bits >> count) & 0xFF);
    }
  }
  // Leftover bits must be the zero padding the encoder writes (one key, one id).
  if (count >= 6 || (bits & ((1u << count) - 1)) != 0) return false;
  key = std::move(out);
  return true;
}

}  // namespace

bool is_valid_custom_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxCustomIdLength) return false;
  for (char c : id)
    if (!kept_as_is(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
}

std::string encode_custom_id(std::string_view key) {
  if (std::string id = readable(key); !id.empty()) return id;
  if (key.size() <= kMaxCompactKeyBytes) return compact(key);
  return hashed(key);
}

bool is_hashed_custom_id(std::string_view custom_id) {
  return custom_id.size() == 34 && custom_id.starts_with("_h");
}

bool decode_custom_id(std::string_view custom_id, std::string& key) {
  if (!is_valid_custom_id(custom_id)) return false;
  if (custom_id.starts_with("_z")) {
    std::string decoded;
    if (!decode_compact(custom_id.substr(2), decoded)) return false;
    // A key that has a readable form is never written compact.
    if (decoded.size() > kMaxCompactKeyBytes || !readable(decoded).empty()) return false;
    key = std::move(decoded);
    return true;
  }
  if (custom_id.starts_with("_h")) return false;
  return decode_readable(custom_id, key);
}

}  // namespace pipehost::anthropic
