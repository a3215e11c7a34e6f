#pragma once
// Internal to the readers: a file read with pread in chunks, cut into lines with
// Python's universal newlines ("\n", "\r\n", a lone "\r"), numbered from 1; and
// the number syntax shared by Python's float() and NumPy's loadtxt.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace akili::io::detail {

/// An open file, read at explicit offsets (no shared position: threads may share it).
class ReadOnlyFile {
 public:
  explicit ReadOnlyFile(const std::string& path);
  ~ReadOnlyFile();
  ReadOnlyFile(const ReadOnlyFile&) = delete;
  ReadOnlyFile& operator=(const ReadOnlyFile&) = delete;
  bool is_open() const noexcept { return descriptor_ >= 0; }
  std::uint64_t size() const noexcept { return size_; }
  /// Reads up to `count` bytes at `offset`; fewer only at the end of the file.
  std::size_t read_at(char* buffer, std::size_t count, std::uint64_t offset) const;

 private:
  int descriptor_ = -1;
  std::uint64_t size_ = 0;
};

/// One line: its bytes without the terminator, and its 1-based number. A line
/// from LineScanner may be read up to `kLinePadding` bytes past `end` (those bytes
/// belong to the scanner's buffer, their values are unspecified): the CSV parser
/// loads 8-byte words for numbers and 64-byte blocks to find delimiters.
constexpr std::size_t kLinePadding = 64;

struct Line {
  const char* begin;
  const char* end;
  std::size_t number;
};

/// The lines of bytes [begin, end) of a file, in order, holding one chunk (and at
/// most one line longer than a chunk) in memory.
class LineScanner {
 public:
  static constexpr std::size_t chunk_bytes = std::size_t{1} << 20;
  LineScanner(const ReadOnlyFile& file, std::uint64_t begin, std::uint64_t end, std::size_t first_line);
  /// The next line, false at the end of the range.
  bool next(Line& line);
  /// Byte offset (in the file) of the line last returned.
  std::uint64_t line_offset() const noexcept { return line_offset_; }
  /// Byte offset just past the line last returned and its terminator.
  std::uint64_t position() const noexcept { return buffer_offset_ + static_cast<std::uint64_t>(cursor_); }
  /// Bytes read from the file so far (for polling between chunks).
  std::uint64_t chunks_read() const noexcept { return chunks_read_; }

 private:
  bool refill();
  const ReadOnlyFile& file_;
  std::uint64_t next_read_;  ///< file offset of the next read
  std::uint64_t end_;
  std::vector<char> buffer_;
  std::size_t cursor_ = 0;    ///< start of the next line in buffer_
  std::size_t complete_ = 0;  ///< bytes of buffer_ that hold whole lines (terminators included)
  std::size_t filled_ = 0;
  std::uint64_t buffer_offset_;  ///< file offset of buffer_[0]
  std::uint64_t line_offset_ = 0;
  std::uint64_t chunks_read_ = 0;
  std::size_t line_number_;
  bool at_end_ = false;
};

/// Whitespace as Python's str.strip() sees it in ASCII (space, \t \n \v \f \r, \x1c-\x1f).
inline bool is_space(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f); }

/// Whether every byte of [begin, end) is whitespace (a blank line).
bool is_blank(const char* begin, const char* end);

/// [begin, end) without surrounding whitespace; a whitespace delimiter is never trimmed.
void trim(const char*& begin, const char*& end, char delimiter);

/// Parses a whole trimmed field as Python's float() and NumPy's loadtxt both do:
/// optional sign, digits with an optional point and exponent, inf, infinity, nan
/// (any case); correctly rounded. False when the text is not such a number.
bool parse_number(const char* begin, const char* end, double& value);

/// Counts line terminators in [begin, end): "\n", and "\r" not followed by "\n"
/// (`next` is the byte after end, or -1 at the end of the data).
std::size_t count_terminators(const char* begin, const char* end, int next);

/// Offset of the first invalid UTF-8 sequence in [begin, end), or -1 when valid.
std::ptrdiff_t first_invalid_utf8(const char* begin, const char* end);

}  // namespace akili::io::detail
