// The CSV reader (rules in akili/io/csv.hpp): lines from LineScanner, each row
// parsed once, straight into the caller's dtype with the scaling applied.
#include "akili/io/csv.hpp"

#include "text_lines.hpp"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <cstring>
#include <exception>
#include <optional>
#include <thread>
#include <type_traits>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace akili::io {
namespace {

using detail::Line;
using detail::LineScanner;
using detail::ReadOnlyFile;

std::string number_text(double value) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

std::string describe(const std::string& source, const CsvProblem& p) {
  const std::string at = source + ": line " + std::to_string(p.line);
  const std::string quoted =
      p.structural || p.kind == CsvProblemKind::non_numeric ? "'" + p.text + "'" : number_text(p.value);
  switch (p.kind) {
    case CsvProblemKind::cannot_open:
      return source + ": cannot open the file for reading";
    case CsvProblemKind::empty_file:
      return source + ": empty file (no CSV rows)";
    case CsvProblemKind::header_without_data:
      return source + ": no data rows after the header on line " + std::to_string(p.line);
    case CsvProblemKind::too_few_columns:
      return at + ": need at least 2 columns (a label and one feature), found " + std::to_string(p.values);
    case CsvProblemKind::label_column_out_of_range:
      return source + ": label_column " + p.text + " is out of range for " + std::to_string(p.expected) + " columns";
    case CsvProblemKind::ragged_row:
      return at + ": ragged row: " + std::to_string(p.values) + " values, expected " + std::to_string(p.expected) +
             " (as on line " + std::to_string(p.expected_line) + ")";
    case CsvProblemKind::non_numeric:
      return at + ", column " + std::to_string(p.column) + ": non-numeric value " + quoted;
    case CsvProblemKind::non_finite:
      return at + ", column " + std::to_string(p.column) + ": non-finite value " + quoted;
    case CsvProblemKind::label_not_integer:
      return at + ": label " + quoted + " is not an integer";
    case CsvProblemKind::label_out_of_range:
      return at + ": label " + quoted + " is beyond the range of 64-bit integer labels";
    case CsvProblemKind::not_utf8:
      return source + ": not a UTF-8 text file: invalid byte sequence at byte " + std::to_string(p.byte_offset);
  }
  return source + ": unreadable CSV";
}

CsvProblem cannot_open_problem() {
  CsvProblem problem;
  problem.kind = CsvProblemKind::cannot_open;
  return problem;
}

/// The problems a scan has met, kept as the report rule of csv.hpp needs them.
struct ProblemLog {
  std::optional<CsvProblem> first;       ///< first of any kind, file order (ragged before the fields of its line)
  std::optional<CsvProblem> non_finite;  ///< first non-finite value, row-major
  std::optional<CsvProblem> bad_label;   ///< first non-integer (or out-of-range) label
  std::optional<CsvProblem> not_utf8;
  bool structural = false;

  void merge_after(const ProblemLog& later) {
    if (!first) first = later.first;
    if (!non_finite) non_finite = later.non_finite;
    if (!bad_label) bad_label = later.bad_label;
    if (!not_utf8) not_utf8 = later.not_utf8;
    structural = structural || later.structural;
  }

  /// The problem to report, if any.
  std::optional<CsvProblem> verdict() const {
    if (not_utf8) return not_utf8;
    std::optional<CsvProblem> chosen = structural ? first : (non_finite ? non_finite : bad_label);
    if (chosen) chosen->structural = structural;
    return chosen;
  }
};

/// Checks a line that holds bytes >= 0x80 for valid UTF-8; records not_utf8 when it is not.
bool check_utf8(const Line& line, std::uint64_t line_offset, ProblemLog& log) {
  const std::ptrdiff_t bad = detail::first_invalid_utf8(line.begin, line.end);
  if (bad < 0) return true;
  if (!log.not_utf8) {
    CsvProblem problem;
    problem.kind = CsvProblemKind::not_utf8;
    problem.line = line.number;
    problem.byte_offset = line_offset + static_cast<std::uint64_t>(bad);
    log.not_utf8 = problem;
  }
  return false;
}

bool has_high_bytes(const Line& line) {
  return std::any_of(line.begin, line.end, [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

/// The 8 bytes at `text` as one little-endian word: byte 0 is text[0].
inline std::uint64_t load_word(const char* text) {
  std::uint64_t word = 0;
  std::memcpy(&word, text, sizeof word);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  word = __builtin_bswap64(word);
#endif
  return word;
}

/// Bit i set where text[i] == delimiter, for the 64 bytes at `text`.
inline std::uint64_t delimiter_marks(const char* text, char delimiter) {
#if defined(__SSE2__)
  const __m128i wanted = _mm_set1_epi8(delimiter);
  std::uint64_t marks = 0;
  for (int part = 0; part < 4; ++part) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text + 16 * part));
    const auto found = static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, wanted)));
    marks |= std::uint64_t{found} << (16 * part);
  }
  return marks;
#else
  // Eight bytes at a time: a byte of x is zero exactly where the delimiter is; the
  // high bit of ((x & 0x7F) + 0x7F) | x is set exactly where it is not (no carry
  // leaves a byte), and the multiplication gathers the eight high bits.
  const std::uint64_t broadcast = 0x0101010101010101u * static_cast<unsigned char>(delimiter);
  std::uint64_t marks = 0;
  for (int part = 0; part < 8; ++part) {
    const std::uint64_t x = load_word(text + 8 * part) ^ broadcast;
    const std::uint64_t other = (((x & 0x7F7F7F7F7F7F7F7Fu) + 0x7F7F7F7F7F7F7F7Fu) | x) & 0x8080808080808080u;
    const std::uint64_t hits = (~other & 0x8080808080808080u) >> 7;
    marks |= ((hits * 0x0102040810204080u) >> 56) << (8 * part);
  }
  return marks;
#endif
}

/// delimiter_marks of the block at `block`, without the bytes from `line_end` on.
inline std::uint64_t line_marks(const char* block, const char* line_end, char delimiter) {
  std::uint64_t marks = delimiter_marks(block, delimiter);
  const auto left = static_cast<std::size_t>(line_end - block);
  if (left < 64) marks &= (std::uint64_t{1} << left) - 1;
  return marks;
}

/// Set bits of `bits`, inline: the portable x86-64 baseline has no popcnt
/// instruction, and __builtin_popcountll would call a library function.
inline std::size_t bit_count(std::uint64_t bits) {
  bits -= (bits >> 1) & 0x5555555555555555u;
  bits = (bits & 0x3333333333333333u) + ((bits >> 2) & 0x3333333333333333u);
  bits = (bits + (bits >> 4)) & 0x0F0F0F0F0F0F0F0Fu;
  return static_cast<std::size_t>((bits * 0x0101010101010101u) >> 56);
}

/// Whether the `count` (1..7) bytes at `text` are all ASCII digits; if so, their
/// value in `value`. Every byte is tested at once: a digit XOR '0' is 0..9, and
/// adding 0x76 sets the high bit of exactly the bytes above 9 (a carry out of a
/// byte >= 0x8A only reaches later bytes, which are flagged themselves or shifted
/// out). One 8-byte load for the test and the value: shifting left by the bytes after the
/// field drops them (little-endian: they are the top ones) and leaves the digits
/// at the top with zeros below, as leading zeros; then pairs, groups of four and
/// the two halves are combined by three multiplications (exact for 8 digits).
inline bool small_integer(const char* text, std::size_t count, std::uint32_t& value) {
  const auto shift = static_cast<unsigned>(64 - 8 * count);
  const std::uint64_t values = load_word(text) ^ 0x3030303030303030u;  // a digit's byte becomes 0..9
  const std::uint64_t not_digits = ((values + 0x7676767676767676u) | values) & 0x8080808080808080u;
  if ((not_digits << shift) != 0) return false;
  std::uint64_t word = values << shift;
  word = (word * 2561) >> 8;                                      // 10·256 + 1: byte pairs
  word = ((word & 0x00FF00FF00FF00FFu) * 6553601) >> 16;          // 100·65536 + 1: groups of four
  word = ((word & 0x0000FFFF0000FFFFu) * 42949672960001u) >> 32;  // 10000·2^32 + 1: all eight
  value = static_cast<std::uint32_t>(word);
  return true;
}

/// Whether [begin, end) is 1 to 7 plain digits (the values of the book's files);
/// if so, their value in `value`. A single digit, the commonest field of pixel
/// data, needs no word arithmetic.
inline bool plain_integer(const char* begin, const char* end, std::uint32_t& value) {
  const auto length = static_cast<std::size_t>(end - begin);
  value = static_cast<unsigned char>(*begin) - static_cast<unsigned>('0');
  return (length == 1 && value < 10) || (length - 2 < 6 && small_integer(begin, length, value));
}

/// Parses rows of one layout into T with the scaling applied.
template <typename T>
class RowParser {
 public:
  RowParser(const CsvLayout& layout, const CsvFormat& format)
      : columns_(layout.columns),
        label_column_(layout.label_column),
        delimiter_(format.delimiter),
        scaling_(format.scaling),
        use_table_(format.scaling.kind != InputScaling::none) {
    // Integral values 0..255 (pixels) take their scaled value from a table: the
    // same expression, evaluated once per value instead of once per field.
    for (int v = 0; v < 256; ++v) table_[v] = scaling_.apply<T>(static_cast<double>(v));
  }

  /// Parses the non-blank `line` into features[0 .. columns-2] and *label. Returns
  /// false, with the line's problems noted in `log`, when the line is not a valid row.
  bool parse(const Line& line, T* features, std::int64_t* label, ProblemLog& log) const {
    std::optional<CsvProblem> line_first;
    bool structural = false;
    auto note = [&](CsvProblemKind kind, std::size_t column, const char* begin, const char* end, double value) {
      CsvProblem problem;
      problem.kind = kind;
      problem.line = line.number;
      problem.column = column;
      problem.text.assign(begin, end);
      problem.value = value;
      if (kind == CsvProblemKind::non_finite && !log.non_finite) log.non_finite = problem;
      if ((kind == CsvProblemKind::label_not_integer || kind == CsvProblemKind::label_out_of_range) && !log.bad_label) {
        log.bad_label = problem;
      }
      if (kind == CsvProblemKind::non_numeric) structural = true;
      if (!line_first) line_first = std::move(problem);
    };
    // Locals rather than members in the loop: a store into `features` may alias a
    // member as far as the compiler can tell, which would reload it for every field.
    const char delimiter = delimiter_;
    const std::size_t columns = columns_;
    const std::size_t label_column = label_column_;
    const bool use_table = use_table_;
    const ValueScaling scaling = scaling_;
    const T* const table = table_;
    std::size_t column = 0;
    // The field [begin, end), the line's field number `column`. `Checked` is false
    // when the line is known to have `columns` fields (no bounds check needed).
    auto field = [&](const char* begin, const char* end, auto checked) {
      if constexpr (decltype(checked)::value) {
        if (column >= columns) {
          ++column;  // a ragged row: only the count matters
          return;
        }
      }
      // Fast path, most fields of the book's files: 1 to 7 plain digits. The value
      // is an exact integer (same as float(text)), converted from one 8-byte load.
      std::uint32_t whole = 0;
      if (plain_integer(begin, end, whole)) {
        if (column == label_column) {
          *label = whole;
        } else {
          const std::size_t index = column - (column > label_column ? 1 : 0);
          // The table holds apply<T>(v) for every v < 256, whatever the scaling.
          features[index] = whole < 256 ? table[whole] : scaling.apply<T>(whole);
        }
        ++column;
        return;
      }
      detail::trim(begin, end, delimiter);
      double value = 0.0;
      if (!detail::parse_number(begin, end, value)) {
        note(CsvProblemKind::non_numeric, column + 1, begin, end, 0.0);
      } else if (!std::isfinite(value)) {
        note(CsvProblemKind::non_finite, column + 1, begin, end, value);
      } else if (column == label_column) {
        if (value != std::nearbyint(value)) {
          note(CsvProblemKind::label_not_integer, column + 1, begin, end, value);
        } else if (!(value >= -9223372036854775808.0 && value < 9223372036854775808.0)) {
          note(CsvProblemKind::label_out_of_range, column + 1, begin, end, value);
        } else {
          *label = static_cast<std::int64_t>(value);
        }
      } else {
        const std::size_t index = column - (column > label_column ? 1 : 0);
        if (use_table && value >= 0.0 && value <= 255.0 && !std::signbit(value) &&
            value == static_cast<double>(static_cast<int>(value))) {
          features[index] = table[static_cast<int>(value)];
        } else {
          features[index] = scaling.apply<T>(value);
        }
      }
      ++column;
    };
    // The delimiters are found 64 bytes at a time (a bit mask), so finding where a
    // field ends does not wait for the previous field to be parsed: the fields'
    // work overlaps in the CPU. The line may be read past its end (kLinePadding).
    // A first pass counts the fields, so that a row of the right length is parsed
    // without checking every column against the count.
    const char* const line_end = line.end;
    auto marks_at = [&](const char* block) { return line_marks(block, line_end, delimiter); };
    std::size_t fields = 1;
    for (const char* block = line.begin; block < line_end; block += 64) {
      fields += bit_count(marks_at(block));
    }
    auto split = [&](auto checked) {
      const char* begin = line.begin;
      for (const char* block = line.begin; block < line_end; block += 64) {
        for (std::uint64_t marks = marks_at(block); marks != 0; marks &= marks - 1) {
          const char* end = block + __builtin_ctzll(marks);
          field(begin, end, checked);
          begin = end + 1;
        }
      }
      field(begin, line_end, checked);
    };
    if (fields == columns) {
      if (label_column == 0 && plain_misses_ < kPlainMissLimit) {
#if defined(__SSE2__)
        if (parse_pixels_label_first(line, features, label)) return true;
#endif
        if (parse_plain_label_first(line, features, label)) return true;
        ++plain_misses_;  // then the line is parsed again below, field by field
      }
      split(std::false_type{});
    } else {
      split(std::true_type{});
    }
    if (column != columns) {
      CsvProblem problem;
      problem.kind = CsvProblemKind::ragged_row;
      problem.line = line.number;
      problem.values = column;
      problem.expected = columns;
      problem.expected_line = expected_line_;
      line_first = std::move(problem);
      structural = true;
    }
    if (!line_first) return true;
    if (structural) log.structural = true;
    if (!log.first) log.first = std::move(line_first);
    return false;
  }

  void set_expected_line(std::size_t line) { expected_line_ = line; }

 private:
  /// Lines of a parser that parse_plain_label_first may fail on before it is no
  /// longer tried (a file of decimals would otherwise be parsed twice).
  static constexpr std::size_t kPlainMissLimit = 16;

#if defined(__SSE2__)
  /// The book's rows when every field has 1 to 3 digits (pixels 0..255, labels):
  /// sixteen bytes at a time, every byte gets the value of the digits that end
  /// at it, v[i] = d[i] + 10·d[i-1] + 100·d[i-2] (the terms whose byte is not a
  /// digit of the same field left out), so the value of a field is v at its
  /// last byte, read at each delimiter. The same pass checks that the line is
  /// only digits and delimiters, with no empty field and no run of 4 digits.
  /// False (nothing or part of the row written) when it is not such a line.
  bool parse_pixels_label_first(const Line& line, T* features, std::int64_t* label) const {
    const char* const begin = line.begin;
    const auto length = static_cast<std::size_t>(line.end - begin);
    if (length == 0 || *begin == delimiter_ || line.end[-1] == delimiter_) return false;
    const std::size_t chunks = (length + 15) / 16;
    digit_values_.resize(chunks * 16);
    std::uint16_t* const values = digit_values_.data();
    const __m128i wanted = _mm_set1_epi8(delimiter_);
    const __m128i zero_char = _mm_set1_epi8('0');
    const __m128i nine = _mm_set1_epi8(9);
    const __m128i zero = _mm_setzero_si128();
    const __m128i ten = _mm_set1_epi16(10);
    const __m128i hundred = _mm_set1_epi16(100);
    // The bytes before the line count as a delimiter (a field boundary).
    __m128i previous_digits = zero;  // 0xFF where the byte is a digit
    __m128i previous_delimiters = _mm_set1_epi8(-1);
    __m128i previous_values = zero;
    unsigned bad = 0;  // bits of bytes that break the rules
    for (std::size_t chunk = 0; chunk < chunks; ++chunk) {
      const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(begin + 16 * chunk));
      const __m128i digit_values = _mm_sub_epi8(bytes, zero_char);
      const __m128i digits = _mm_cmpeq_epi8(_mm_min_epu8(digit_values, nine), digit_values);
      const __m128i delimiters = _mm_cmpeq_epi8(bytes, wanted);
      // The same masks and values one and two bytes earlier (across the chunk boundary).
      const __m128i digits1 = _mm_or_si128(_mm_slli_si128(digits, 1), _mm_srli_si128(previous_digits, 15));
      const __m128i digits2 = _mm_or_si128(_mm_slli_si128(digits, 2), _mm_srli_si128(previous_digits, 14));
      const __m128i digits3 = _mm_or_si128(_mm_slli_si128(digits, 3), _mm_srli_si128(previous_digits, 13));
      const __m128i delimiters1 = _mm_or_si128(_mm_slli_si128(delimiters, 1), _mm_srli_si128(previous_delimiters, 15));
      const __m128i values1 = _mm_or_si128(_mm_slli_si128(digit_values, 1), _mm_srli_si128(previous_values, 15));
      const __m128i values2 = _mm_or_si128(_mm_slli_si128(digit_values, 2), _mm_srli_si128(previous_values, 14));
      // Bad: a byte that is neither digit nor delimiter, a delimiter after a
      // delimiter (an empty field), or the fourth digit of a run.
      const __m128i other = _mm_andnot_si128(_mm_or_si128(digits, delimiters), _mm_set1_epi8(-1));
      const __m128i empty = _mm_and_si128(delimiters, delimiters1);
      const __m128i long_run = _mm_and_si128(_mm_and_si128(digits, digits1), _mm_and_si128(digits2, digits3));
      unsigned chunk_bad = static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(other, empty), long_run)));
      const std::size_t left = length - 16 * chunk;
      if (left < 16) chunk_bad &= (1u << left) - 1;  // bytes past the line do not count
      bad |= chunk_bad;
      // v = d + 10·d1 + 100·d2 in 16-bit lanes, d1 and d2 kept only where they are
      // digits of the same field (contiguous digits: the field has no other byte).
      const __m128i tens = _mm_and_si128(values1, digits1);
      const __m128i hundreds = _mm_and_si128(values2, _mm_and_si128(digits2, digits1));
      const __m128i low = _mm_add_epi16(_mm_unpacklo_epi8(digit_values, zero),
                                        _mm_add_epi16(_mm_mullo_epi16(_mm_unpacklo_epi8(tens, zero), ten),
                                                      _mm_mullo_epi16(_mm_unpacklo_epi8(hundreds, zero), hundred)));
      const __m128i high = _mm_add_epi16(_mm_unpackhi_epi8(digit_values, zero),
                                         _mm_add_epi16(_mm_mullo_epi16(_mm_unpackhi_epi8(tens, zero), ten),
                                                       _mm_mullo_epi16(_mm_unpackhi_epi8(hundreds, zero), hundred)));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(values + 16 * chunk), low);
      _mm_storeu_si128(reinterpret_cast<__m128i*>(values + 16 * chunk + 8), high);
      previous_digits = digits;
      previous_delimiters = delimiters;
      previous_values = digit_values;
    }
    if (bad != 0) return false;
    // Each delimiter ends a field whose value is at the byte before it; the first
    // field is the label, the last one ends at the line's end.
    const ValueScaling scaling = scaling_;
    const T* const table = table_;
    const char delimiter = delimiter_;
    const char* const line_end = line.end;
    bool first = true;
    T* out = features;
    for (const char* block = begin; block < line_end; block += 64) {
      const auto base = static_cast<std::size_t>(block - begin);
      for (std::uint64_t marks = line_marks(block, line_end, delimiter); marks != 0; marks &= marks - 1) {
        const std::uint32_t value = values[base + static_cast<std::size_t>(__builtin_ctzll(marks)) - 1];
        if (first) {
          *label = value;
          first = false;
          continue;
        }
        *out++ = value < 256 ? table[value] : scaling.apply<T>(value);
      }
    }
    const std::uint32_t value = values[length - 1];
    *out = value < 256 ? table[value] : scaling.apply<T>(value);
    return true;
  }
#endif

  /// The book's rows (the label first, then only fields of 1 to 7 plain digits)
  /// with the right field count: the features are written in order and nothing
  /// but the digits is checked per field. False, with the row partly written, at
  /// the first field of another kind: the caller then parses the line in full.
  bool parse_plain_label_first(const Line& line, T* features, std::int64_t* label) const {
    const char delimiter = delimiter_;
    const ValueScaling scaling = scaling_;
    const T* const table = table_;
    const char* const line_end = line.end;
    auto marks_at = [&](const char* block) { return line_marks(block, line_end, delimiter); };
    const char* block = line.begin;
    std::uint64_t marks = marks_at(block);
    if (marks == 0) return false;  // a label longer than a block: left to the full parse
    const char* end = block + __builtin_ctzll(marks);
    std::uint32_t whole = 0;
    if (!plain_integer(line.begin, end, whole)) return false;
    *label = whole;
    const char* begin = end + 1;
    marks &= marks - 1;
    T* out = features;
    for (;;) {
      for (; marks != 0; marks &= marks - 1) {
        end = block + __builtin_ctzll(marks);
        if (!plain_integer(begin, end, whole)) return false;
        *out++ = whole < 256 ? table[whole] : scaling.apply<T>(whole);
        begin = end + 1;
      }
      block += 64;
      if (block >= line_end) break;
      marks = marks_at(block);
    }
    if (!plain_integer(begin, line_end, whole)) return false;
    *out = whole < 256 ? table[whole] : scaling.apply<T>(whole);
    return true;
  }

  std::size_t columns_;
  std::size_t label_column_;
  char delimiter_;
  ValueScaling scaling_;
  bool use_table_;
  std::size_t expected_line_ = 0;
  mutable std::size_t plain_misses_ = 0;
  mutable std::vector<std::uint16_t> digit_values_;  ///< parse_pixels_label_first's v, one per byte
  T table_[256];
};

std::size_t split_fields(const Line& line, char delimiter, std::vector<std::pair<const char*, const char*>>& fields) {
  fields.clear();
  const char* cursor = line.begin;
  for (;;) {
    const char* end = cursor;
    while (end != line.end && *end != delimiter) ++end;
    fields.emplace_back(cursor, end);
    if (end == line.end) break;
    cursor = end + 1;
  }
  return fields.size();
}

[[noreturn]] void fail(const std::string& source, CsvProblem problem) { throw CsvError(source, std::move(problem)); }

CsvLayout detect_layout(const ReadOnlyFile& file, const CsvFormat& format, const std::string& source) {
  char bom[3] = {};
  const std::size_t got = file.read_at(bom, 3, 0);
  const std::uint64_t start = (got == 3 && std::memcmp(bom, "\xEF\xBB\xBF", 3) == 0) ? 3 : 0;
  LineScanner scanner(file, start, file.size(), 1);
  Line line{};
  bool found = false;
  while (scanner.next(line)) {
    if (!detail::is_blank(line.begin, line.end)) {
      found = true;
      break;
    }
  }
  if (!found) fail(source, CsvProblem{});
  ProblemLog log;
  if (has_high_bytes(line) && !check_utf8(line, scanner.line_offset(), log)) fail(source, *log.not_utf8);
  std::vector<std::pair<const char*, const char*>> fields;
  CsvLayout layout;
  layout.columns = split_fields(line, format.delimiter, fields);
  layout.first_line = line.number;
  for (auto [begin, end] : fields) {
    detail::trim(begin, end, format.delimiter);
    double value = 0.0;
    if (!detail::parse_number(begin, end, value)) layout.has_header = true;
  }
  if (layout.has_header) {
    layout.data_offset = scanner.position();
    Line after{};
    bool data = false;
    std::uint64_t data_offset = 0;
    while (scanner.next(after)) {
      if (!detail::is_blank(after.begin, after.end)) {
        data = true;
        data_offset = scanner.line_offset();
        break;
      }
    }
    if (!data) {
      CsvProblem problem;
      problem.kind = CsvProblemKind::header_without_data;
      problem.line = layout.first_line;
      fail(source, problem);
    }
    // Data starts at the first non-blank line after the header.
    layout.data_offset = data_offset;
    layout.data_first_line = after.number;
  } else {
    layout.data_offset = scanner.line_offset();
    layout.data_first_line = line.number;
  }
  if (layout.columns < 2) {
    CsvProblem problem;
    problem.kind = CsvProblemKind::too_few_columns;
    problem.line = layout.first_line;
    problem.values = layout.columns;
    fail(source, problem);
  }
  const auto columns = static_cast<std::int64_t>(layout.columns);
  if (format.label_column < -columns || format.label_column >= columns) {
    CsvProblem problem;
    problem.kind = CsvProblemKind::label_column_out_of_range;
    problem.text = std::to_string(format.label_column);
    problem.expected = layout.columns;
    fail(source, problem);
  }
  layout.label_column = static_cast<std::size_t>((format.label_column % columns + columns) % columns);
  return layout;
}

/// The offset just past the first line terminator at or after `position`, or `end`.
std::uint64_t next_line_start(const ReadOnlyFile& file, std::uint64_t position, std::uint64_t end) {
  std::vector<char> window(1 << 16);
  while (position < end) {
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(window.size(), end - position));
    const std::size_t got = file.read_at(window.data(), want, position);
    if (got == 0) return end;
    for (std::size_t i = 0; i < got; ++i) {
      if (window[i] == '\n') return position + i + 1;
      if (window[i] == '\r') {
        char following = 0;
        if (position + i + 1 < end && file.read_at(&following, 1, position + i + 1) == 1 && following == '\n') {
          return position + i + 2;
        }
        return position + i + 1;
      }
    }
    position += got;
  }
  return end;
}

/// Line terminators in bytes [begin, end) of the file.
std::size_t count_lines(const ReadOnlyFile& file, std::uint64_t begin, std::uint64_t end,
                        const std::atomic<bool>& abandon) {
  std::vector<char> chunk(LineScanner::chunk_bytes);
  std::size_t lines = 0;
  for (std::uint64_t position = begin; position < end && !abandon.load(std::memory_order_relaxed);) {
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(chunk.size(), end - position));
    const std::size_t got = file.read_at(chunk.data(), want, position);
    if (got == 0) break;
    int next = -1;
    char following = 0;
    if (chunk[got - 1] == '\r' && position + got < end && file.read_at(&following, 1, position + got) == 1) {
      next = static_cast<unsigned char>(following);
    }
    lines += detail::count_terminators(chunk.data(), chunk.data() + got, next);
    position += got;
  }
  return lines;
}

/// The output of a whole-file read is written once, front to back: in 2 MiB pages
/// it takes one page fault per 2 MiB instead of one per 4 KiB, a large part of
/// the read's time otherwise. Linux grants them to memory advised so (where they
/// are not given to all memory); elsewhere, or if refused, nothing changes.
void advise_huge_pages(void* data, std::size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr std::uintptr_t huge = std::uintptr_t{1} << 21;
  const auto start = reinterpret_cast<std::uintptr_t>(data);
  const std::uintptr_t first = (start + huge - 1) & ~(huge - 1);
  const std::uintptr_t last = (start + bytes) & ~(huge - 1);
  if (last > first) ::madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
#else
  (void)data;
  (void)bytes;
#endif
}

/// One part of a whole-file read: rows written from `features`/`labels` on.
template <typename T>
struct PartResult {
  std::size_t rows = 0;
  ProblemLog log;
};

template <typename T>
void parse_part(const ReadOnlyFile& file, const CsvLayout& layout, const CsvFormat& format, std::uint64_t begin,
                std::uint64_t end, std::size_t first_line, std::size_t row_capacity, T* features, std::int64_t* labels,
                PartResult<T>& result, const std::atomic<bool>& abandon, const ReadStopHook* should_stop) {
  RowParser<T> parser(layout, format);
  parser.set_expected_line(layout.first_line);
  LineScanner scanner(file, begin, end, first_line);
  const std::size_t feature_columns = layout.columns - 1;
  std::uint64_t chunks_seen = 0;
  Line line{};
  bool parsing = true;  // after a structural problem, only UTF-8 validity can change the verdict
  while (scanner.next(line)) {
    if (scanner.chunks_read() != chunks_seen) {
      chunks_seen = scanner.chunks_read();
      if (abandon.load(std::memory_order_relaxed)) return;
      if (should_stop != nullptr && *should_stop && (*should_stop)()) throw ReadStopped();
    }
    if (!parsing) {
      if (has_high_bytes(line) && !check_utf8(line, scanner.line_offset(), result.log)) return;
      continue;
    }
    if (detail::is_blank(line.begin, line.end)) continue;
    // A row beyond the capacity means the file grew since it was counted: the rest is ignored.
    if (result.rows == row_capacity) break;
    if (parser.parse(line, features + result.rows * feature_columns, labels + result.rows, result.log)) {
      ++result.rows;
      continue;
    }
    if (has_high_bytes(line) && !check_utf8(line, scanner.line_offset(), result.log)) return;
    if (result.log.structural) parsing = false;
  }
}

}  // namespace

CsvError::CsvError(const std::string& source, CsvProblem problem)
    : std::runtime_error(describe(source, problem)), problem_(std::move(problem)) {}

CsvLayout csv_layout(const std::string& path, const CsvFormat& format) {
  const ReadOnlyFile file(path);
  if (!file.is_open()) fail(path, cannot_open_problem());
  return detect_layout(file, format, path);
}

template <typename T>
CsvData<T> read_csv_file(const std::string& path, const CsvFormat& format, int threads,
                         const ReadStopHook& should_stop) {
  const ReadOnlyFile file(path);
  if (!file.is_open()) fail(path, cannot_open_problem());
  const CsvLayout layout = detect_layout(file, format, path);
  const std::uint64_t begin = layout.data_offset;
  const std::uint64_t end = file.size();
  // Two halves cut at a line end, each read and parsed on its own thread; below a
  // few MiB one thread is faster than starting another.
  std::uint64_t cut = end;
  if (threads >= 2 && end - begin >= (std::uint64_t{4} << 20))
    cut = next_line_start(file, begin + (end - begin) / 2, end);
  const bool two_parts = cut < end;
  std::atomic<bool> abandon{false};
  std::exception_ptr side_error;
  auto run_side = [&](auto&& work) {
    return std::thread([&, work]() mutable {
      try {
        work();
      } catch (...) {
        side_error = std::current_exception();
        abandon.store(true);
      }
    });
  };
  auto join_and_rethrow = [&](std::thread& side, auto&& main_work) {
    try {
      main_work();
    } catch (...) {
      abandon.store(true);
      if (side.joinable()) side.join();
      throw;
    }
    if (side.joinable()) side.join();
    if (side_error) std::rethrow_exception(side_error);
  };

  // Pass 1: line terminators per part bound its rows (allocated once, never grown)
  // and give the second part its first line number.
  std::size_t lines_first = 0;
  std::size_t lines_second = 0;
  {
    std::thread side;
    if (two_parts) side = run_side([&]() { lines_second = count_lines(file, cut, end, abandon); });
    join_and_rethrow(side, [&]() {
      lines_first = count_lines(file, begin, cut, abandon);
      if (should_stop && should_stop()) throw ReadStopped();
    });
  }
  const std::size_t capacity_first = lines_first + 1;
  const std::size_t capacity_second = two_parts ? lines_second + 1 : 0;
  const std::size_t feature_columns = layout.columns - 1;
  CsvData<T> data;
  data.feature_columns = feature_columns;
  // Uninitialised on purpose: every row kept is written, and the pages of the
  // spare capacity (blank lines) are never touched, so they cost no memory.
  data.features.reset(new T[(capacity_first + capacity_second) * feature_columns]);
  data.labels.reset(new std::int64_t[capacity_first + capacity_second]);
  advise_huge_pages(data.features.get(), (capacity_first + capacity_second) * feature_columns * sizeof(T));

  // Pass 2: parse.
  PartResult<T> first;
  PartResult<T> second;
  {
    std::thread side;
    if (two_parts) {
      side = run_side([&]() {
        parse_part<T>(file, layout, format, cut, end, layout.data_first_line + lines_first, capacity_second,
                      data.features.get() + capacity_first * feature_columns, data.labels.get() + capacity_first,
                      second, abandon, nullptr);
      });
    }
    join_and_rethrow(side, [&]() {
      parse_part<T>(file, layout, format, begin, cut, layout.data_first_line, capacity_first, data.features.get(),
                    data.labels.get(), first, abandon, &should_stop);
    });
  }
  ProblemLog log = first.log;
  log.merge_after(second.log);
  if (std::optional<CsvProblem> problem = log.verdict()) fail(path, *problem);
  if (two_parts && first.rows != capacity_first) {
    std::memmove(data.features.get() + first.rows * feature_columns,
                 data.features.get() + capacity_first * feature_columns, second.rows * feature_columns * sizeof(T));
    std::memmove(data.labels.get() + first.rows, data.labels.get() + capacity_first,
                 second.rows * sizeof(std::int64_t));
  }
  data.rows = first.rows + second.rows;
  return data;
}

template CsvData<float> read_csv_file<float>(const std::string&, const CsvFormat&, int, const ReadStopHook&);
template CsvData<double> read_csv_file<double>(const std::string&, const CsvFormat&, int, const ReadStopHook&);

struct CsvRowReader::State {
  State(const std::string& path, const CsvFormat& format_) : source(path), file(path), format(format_) {
    if (!file.is_open()) fail(path, cannot_open_problem());
    layout = detect_layout(file, format, path);
    scanner.emplace(file, layout.data_offset, file.size(), layout.data_first_line);
  }
  State(const std::string& path, const CsvFormat& format_, const CsvLayout& layout_, std::uint64_t begin,
        std::uint64_t end, std::size_t first_line)
      : source(path), file(path), format(format_), layout(layout_) {
    if (!file.is_open()) fail(path, cannot_open_problem());
    scanner.emplace(file, begin, std::min<std::uint64_t>(end, file.size()), first_line);
  }

  template <typename T>
  std::size_t read(T* features, std::int64_t* labels, std::size_t max_rows) {
    RowParser<T> parser(layout, format);
    parser.set_expected_line(layout.first_line);
    const std::size_t feature_columns = layout.columns - 1;
    std::size_t rows = 0;
    Line line{};
    while (rows < max_rows && scanner->next(line)) {
      if (detail::is_blank(line.begin, line.end)) continue;
      ProblemLog log;
      if (parser.parse(line, features + rows * feature_columns, labels + rows, log)) {
        ++rows;
        continue;
      }
      if (has_high_bytes(line)) check_utf8(line, scanner->line_offset(), log);
      // Streaming reports the first problem in file order, quoting the field as written.
      CsvProblem problem = log.not_utf8 ? *log.not_utf8 : *log.first;
      problem.structural = true;
      fail(source, problem);
    }
    return rows;
  }

  std::string source;
  ReadOnlyFile file;
  CsvFormat format;
  CsvLayout layout;
  std::optional<LineScanner> scanner;
};

CsvRowReader::CsvRowReader(const std::string& path, const CsvFormat& format)
    : state_(std::make_unique<State>(path, format)) {}

CsvRowReader::CsvRowReader(const std::string& path, const CsvFormat& format, const CsvLayout& layout,
                           std::uint64_t begin, std::uint64_t end, std::size_t first_line)
    : state_(std::make_unique<State>(path, format, layout, begin, end, first_line)) {}

CsvRowReader::~CsvRowReader() = default;

const CsvLayout& CsvRowReader::layout() const noexcept { return state_->layout; }

std::size_t CsvRowReader::read(float* features, std::int64_t* labels, std::size_t max_rows) {
  return state_->read(features, labels, max_rows);
}

std::size_t CsvRowReader::read(double* features, std::int64_t* labels, std::size_t max_rows) {
  return state_->read(features, labels, max_rows);
}

std::vector<CsvBlock> scan_csv_blocks(const std::string& path, const CsvFormat& format, std::uint64_t block_bytes,
                                      CsvLayout& layout) {
  const ReadOnlyFile file(path);
  if (!file.is_open()) fail(path, cannot_open_problem());
  layout = detect_layout(file, format, path);
  std::vector<CsvBlock> blocks;
  LineScanner scanner(file, layout.data_offset, file.size(), layout.data_first_line);
  block_bytes = std::max<std::uint64_t>(block_bytes, 1);
  CsvBlock block{layout.data_offset, layout.data_offset, layout.data_first_line, 0};
  Line line{};
  while (scanner.next(line)) {
    if (!detail::is_blank(line.begin, line.end)) ++block.rows;
    block.end = scanner.position();
    if (block.end - block.begin >= block_bytes) {
      blocks.push_back(block);
      block = CsvBlock{block.end, block.end, line.number + 1, 0};
    }
  }
  if (block.rows != 0) blocks.push_back(block);
  return blocks;
}

}  // namespace akili::io
