// Finding the next "interesting" byte of a CSV buffer (delimiter, quote, CR, LF) is the reader's and
// the writer's hot loop. With SSE2 (every x86-64) it tests 16 bytes per step; elsewhere it falls back
// to a table lookup per byte.
#pragma once

#include <array>
#include <bit>
#include <cstdint>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace pipehost::csv {

/// A set of four byte values (repeats allowed) with a fast search.
class ByteSet4 {
 public:
  ByteSet4(char a, char b, char c, char d) {
    table_.fill(false);
    for (char byte : {a, b, c, d}) table_[static_cast<unsigned char>(byte)] = true;
#if defined(__SSE2__)
    a_ = _mm_set1_epi8(a), b_ = _mm_set1_epi8(b), c_ = _mm_set1_epi8(c), d_ = _mm_set1_epi8(d);
#endif
  }

  /// The first byte of [p, end) in the set, or `end`.
  const char* find(const char* p, const char* end) const {
#if defined(__SSE2__)
    while (end - p >= 16) {
      __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      __m128i hits = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(bytes, a_), _mm_cmpeq_epi8(bytes, b_)),
                                  _mm_or_si128(_mm_cmpeq_epi8(bytes, c_), _mm_cmpeq_epi8(bytes, d_)));
      unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(hits));
      if (mask != 0) return p + std::countr_zero(mask);
      p += 16;
    }
#endif
    while (p < end && !table_[static_cast<unsigned char>(*p)]) ++p;
    return p;
  }

 private:
  std::array<bool, 256> table_;
#if defined(__SSE2__)
  __m128i a_, b_, c_, d_;
#endif
};

}  // namespace pipehost::csv
