// Row keys as Message Batch custom_ids. A custom_id must match ^[a-zA-Z0-9_-]{1,64}$ and the results
// come back keyed by it (in no particular order), so the row key must be recoverable from it.
//
// Three forms, tried in this order:
//   readable  letters, digits and '-' stay as they are, '_' becomes "__", any other byte "_XX"
//             (two upper-case hex digits): "row-7" -> "row-7", "a_b" -> "a__b", "Café" -> "Caf_C3_A9".
//             Used when the result has 1 to 64 characters.
//   compact   "_z" + the key's bytes in unpadded base64url: any key of up to 46 bytes.
//   hashed    "_h" + 32 hex digits of a 128-bit FNV-1a hash: any longer key. It cannot be decoded
//             from the id alone: the plugin records (id, key) durably before the batch is created
//             (CustomIdBook) and decodes it from that record.
// No two forms overlap: after a leading '_' the readable form has '_' or an upper-case hex digit.
#pragma once

#include <string>
#include <string_view>

namespace pipehost::anthropic {

inline constexpr std::size_t kMaxCustomIdLength = 64;
/// Longest key the compact form carries: 62 base64url characters hold 46 bytes.
inline constexpr std::size_t kMaxCompactKeyBytes = 46;

/// The custom_id of a row key; always a valid custom_id (hashed when no reversible form fits).
std::string encode_custom_id(std::string_view key);

/// True for ids of the hashed form, which only the CustomIdBook can decode.
bool is_hashed_custom_id(std::string_view custom_id);

/// Decodes a readable or compact id. False for hashed ids and for ids this codec never makes (e.g. a
/// batch somebody else created).
bool decode_custom_id(std::string_view custom_id, std::string& key);

/// True when `id` matches ^[a-zA-Z0-9_-]{1,64}$.
bool is_valid_custom_id(std::string_view id);

}  // namespace pipehost::anthropic
