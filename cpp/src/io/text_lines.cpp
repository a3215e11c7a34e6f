// Line splitting and number syntax for the text readers (see text_lines.hpp).
#include "text_lines.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>

namespace akili::io::detail {

ReadOnlyFile::ReadOnlyFile(const std::string& path) {
  descriptor_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (descriptor_ < 0) return;
  struct stat status {};
  if (::fstat(descriptor_, &status) != 0 || !S_ISREG(status.st_mode)) {
    ::close(descriptor_);
    descriptor_ = -1;
    return;
  }
  size_ = static_cast<std::uint64_t>(status.st_size);
}

ReadOnlyFile::~ReadOnlyFile() {
  if (descriptor_ >= 0) ::close(descriptor_);
}

std::size_t ReadOnlyFile::read_at(char* buffer, std::size_t count, std::uint64_t offset) const {
  std::size_t done = 0;
  while (done < count) {
    const ssize_t got = ::pread(descriptor_, buffer + done, count - done, static_cast<off_t>(offset + done));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;  // the end of the file (or a read error: the data ends here, and the caller sees less)
    done += static_cast<std::size_t>(got);
  }
  return done;
}

LineScanner::LineScanner(const ReadOnlyFile& file, std::uint64_t begin, std::uint64_t end, std::size_t first_line)
    : file_(file), next_read_(begin), end_(end), buffer_offset_(begin), line_number_(first_line) {}

bool LineScanner::next(Line& line) {
  while (cursor_ >= complete_) {
    if (!refill()) return false;
  }
  const char* base = buffer_.data();
  const char* start = base + cursor_;
  const char* stop = base + complete_;
  const auto* newline = static_cast<const char*>(std::memchr(start, '\n', static_cast<std::size_t>(stop - start)));
  if (newline == nullptr) newline = stop;
  const auto* carriage = static_cast<const char*>(std::memchr(start, '\r', static_cast<std::size_t>(newline - start)));
  const char* finish = carriage != nullptr ? carriage : newline;
  std::size_t terminator = 0;
  if (finish < stop) {
    terminator = (*finish == '\r' && finish + 1 < stop && finish[1] == '\n') ? 2 : 1;
  }
  line = Line{start, finish, line_number_};
  line_offset_ = buffer_offset_ + cursor_;
  cursor_ = static_cast<std::size_t>(finish - base) + terminator;
  if (terminator != 0) ++line_number_;
  return true;
}

bool LineScanner::refill() {
  if (at_end_) return false;
  // Keep the unfinished line: move it to the front, then read after it.
  const std::size_t tail = filled_ - cursor_;
  if (tail != 0 && cursor_ != 0) std::memmove(buffer_.data(), buffer_.data() + cursor_, tail);
  buffer_offset_ += cursor_;
  cursor_ = 0;
  complete_ = 0;
  filled_ = tail;
  for (;;) {
    // The last kLinePadding bytes of the buffer are never filled: lines may be read past their end.
    if (buffer_.size() - filled_ < chunk_bytes / 2 + kLinePadding) {
      buffer_.resize(std::max(buffer_.size() * 2, filled_ + chunk_bytes + kLinePadding));
    }
    const std::uint64_t left = end_ > next_read_ ? end_ - next_read_ : 0;
    const std::size_t room = buffer_.size() - kLinePadding - filled_;
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(room, left));
    const std::size_t got = want != 0 ? file_.read_at(buffer_.data() + filled_, want, next_read_) : 0;
    ++chunks_read_;
    next_read_ += got;
    filled_ += got;
    if (got < want) end_ = next_read_;  // the file shrank: its data ends here
    if (next_read_ >= end_) {
      at_end_ = true;
      complete_ = filled_;  // the last line may lack a terminator
      return filled_ != 0;
    }
    // Whole lines end at the last terminator; a "\r" as the very last byte waits
    // for the next read, which may hold its "\n".
    std::size_t search = filled_;
    while (search != 0) {
      std::size_t i = search - 1;
      while (i != static_cast<std::size_t>(-1) && buffer_[i] != '\n' && buffer_[i] != '\r') --i;
      if (i == static_cast<std::size_t>(-1)) break;
      if (buffer_[i] == '\r' && i + 1 == filled_) {
        search = i;
        continue;
      }
      complete_ = i + 1;
      return true;
    }
    // No whole line yet (a line longer than the buffer): read more.
  }
}

bool is_blank(const char* begin, const char* end) {
  for (; begin != end; ++begin) {
    if (!is_space(static_cast<unsigned char>(*begin))) return false;
  }
  return true;
}

void trim(const char*& begin, const char*& end, char delimiter) {
  while (begin != end && *begin != delimiter && is_space(static_cast<unsigned char>(*begin))) ++begin;
  while (end != begin && end[-1] != delimiter && is_space(static_cast<unsigned char>(end[-1]))) --end;
}

namespace {
// 10^0 .. 10^22: every one is exact in a double, so m / 10^k is one correctly
// rounded division (Clinger's fast path) when m < 2^53.
constexpr double powers_of_ten[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
}  // namespace

bool parse_number(const char* begin, const char* end, double& value) {
  const char* text = begin;
  bool negative = false;
  if (text != end && (*text == '+' || *text == '-')) {
    negative = *text == '-';
    ++text;
  }
  // Fast path: at most 15 significant digits, no exponent (pixels, most data).
  std::uint64_t mantissa = 0;
  const char* cursor = text;
  while (cursor != end && is_digit(*cursor)) mantissa = mantissa * 10 + static_cast<unsigned>(*cursor++ - '0');
  const std::size_t whole_digits = static_cast<std::size_t>(cursor - text);
  std::size_t fraction_digits = 0;
  if (cursor != end && *cursor == '.') {
    const char* fraction = ++cursor;
    while (cursor != end && is_digit(*cursor)) mantissa = mantissa * 10 + static_cast<unsigned>(*cursor++ - '0');
    fraction_digits = static_cast<std::size_t>(cursor - fraction);
  }
  const std::size_t digits = whole_digits + fraction_digits;
  if (cursor == end && digits != 0 && digits <= 15) {
    double magnitude = static_cast<double>(mantissa);  // exact: < 10^15 < 2^53
    if (fraction_digits != 0) magnitude /= powers_of_ten[fraction_digits];
    value = negative ? -magnitude : magnitude;
    return true;
  }
  // General path. from_chars takes no sign and also accepts "nan(...)", which float() refuses.
  if (text == end || *text == '+' || *text == '-') return false;
  if (std::memchr(text, '(', static_cast<std::size_t>(end - text)) != nullptr) return false;
  double magnitude = 0.0;
  const std::from_chars_result result = std::from_chars(text, end, magnitude, std::chars_format::general);
  if (result.ptr != end) return false;
  if (result.ec == std::errc::result_out_of_range) {
    // Overflow to inf and underflow to 0 or a subnormal, as float() gives them:
    // strtod rounds correctly and saturates.
    const std::string copy(text, end);
    magnitude = std::strtod(copy.c_str(), nullptr);
  } else if (result.ec != std::errc()) {
    return false;
  }
  value = negative ? -magnitude : magnitude;
  return true;
}

std::size_t count_terminators(const char* begin, const char* end, int next) {
  const std::size_t newlines = static_cast<std::size_t>(std::count(begin, end, '\n'));
  if (std::memchr(begin, '\r', static_cast<std::size_t>(end - begin)) == nullptr) return newlines;
  std::size_t lone_carriage_returns = 0;
  for (const char* p = begin; p != end; ++p) {
    if (*p != '\r') continue;
    const int following = (p + 1 != end) ? static_cast<unsigned char>(p[1]) : next;
    if (following != '\n') ++lone_carriage_returns;
  }
  return newlines + lone_carriage_returns;
}

std::ptrdiff_t first_invalid_utf8(const char* begin, const char* end) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(begin);
  const std::size_t size = static_cast<std::size_t>(end - begin);
  std::size_t i = 0;
  while (i < size) {
    const unsigned char lead = bytes[i];
    if (lead < 0x80) {
      ++i;
      continue;
    }
    std::size_t length = 0;
    std::uint32_t code = 0;
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
      code = lead & 0x1Fu;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      code = lead & 0x0Fu;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      code = lead & 0x07u;
    } else {
      return static_cast<std::ptrdiff_t>(i);
    }
    if (i + length > size) return static_cast<std::ptrdiff_t>(i);
    for (std::size_t k = 1; k < length; ++k) {
      if ((bytes[i + k] & 0xC0u) != 0x80u) return static_cast<std::ptrdiff_t>(i);
      code = (code << 6) | (bytes[i + k] & 0x3Fu);
    }
    // Overlong forms, surrogates and code points past U+10FFFF are invalid.
    if ((length == 3 && code < 0x800) || (length == 4 && (code < 0x10000 || code > 0x10FFFF)) ||
        (code >= 0xD800 && code <= 0xDFFF)) {
      return static_cast<std::ptrdiff_t>(i);
    }
    i += length;
  }
  return -1;
}

}  // namespace akili::io::detail
