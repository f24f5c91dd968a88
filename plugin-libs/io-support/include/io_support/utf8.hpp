// UTF-8 validation and repair, following Unicode's definition of well-formed UTF-8 (Table 3-7: no
// overlong forms, no surrogates, nothing above U+10FFFF). Repair replaces each maximal ill-formed
// subpart with U+FFFD, the practice Unicode recommends (and WHATWG's decoder follows).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace pipehost::io {

/// U+FFFD REPLACEMENT CHARACTER in UTF-8.
inline constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";

/// Length (1-4) of the well-formed UTF-8 sequence starting at `p` (p < end), or 0 when the bytes there are
/// ill-formed; then `bad_length` is the length (>= 1) of the maximal ill-formed subpart to replace.
std::size_t utf8_sequence_length(const unsigned char* p, const unsigned char* end, std::size_t& bad_length);

/// Offset of the first byte of `text` that is not part of well-formed UTF-8, or npos when it is all valid.
std::size_t find_invalid_utf8(std::string_view text);

/// Appends `text` to `out`, each maximal ill-formed subpart replaced with U+FFFD.
void append_utf8_replacing_invalid(std::string& out, std::string_view text);

/// Replaces ill-formed parts of `text` in place (no-op, no allocation when it is valid). Returns true
/// when something was replaced.
bool replace_invalid_utf8(std::string& text);

/// Number of characters in `text` as a reader sees it (code points; each maximal ill-formed subpart
/// counts as one, like the U+FFFD that would replace it), for columns in error messages.
std::size_t count_characters(std::string_view text);

}  // namespace pipehost::io
