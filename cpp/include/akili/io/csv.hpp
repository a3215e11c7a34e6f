#pragma once
// Numeric CSV files with one label column, as in Make Your Own Neural Network
// (mnist_train.csv: the label, then 784 pixel values, one image per line), parsed
// straight into the network's dtype.
//
// The rules are those of akili.datasets.read_csv (documented there): UTF-8 with an
// optional BOM; "\n", "\r\n" and a lone "\r" end lines (Python's universal
// newlines) and every line counts for the 1-based line numbers in errors; lines
// of whitespace only are skipped; the first non-blank line is a header when one
// of its fields is not a number, and it fixes the column count. A number is what
// Python's float() and NumPy's loadtxt both accept (decimal, exponent, inf, nan;
// ASCII whitespace around it), parsed with correct rounding, so the values are
// bit-identical to float(text).
//
// Which problem is reported when a file has several: a structural problem (a
// ragged row, a field that is not a number) anywhere makes the reader report the
// first problem of any kind in file order; a file without one reports its first
// non-finite value, else its first non-integer label (the order in which the
// former NumPy-based reader found them).

#include "akili/io/scaling.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace akili::io {

/// Polled between chunks of work on the calling thread; returning true stops the
/// read with ReadStopped. May throw instead (the Python bindings raise
/// KeyboardInterrupt through it); the exception propagates after every worker ends.
using ReadStopHook = std::function<bool()>;

struct ReadStopped : std::runtime_error {
  ReadStopped() : std::runtime_error("reading stopped") {}
};

struct CsvFormat {
  char delimiter = ',';
  std::int64_t label_column = 0;  ///< negative counts from the end (-1 = last column)
  ValueScaling scaling{};
};

/// Everything that can be wrong with a CSV file.
enum class CsvProblemKind : std::uint8_t {
  cannot_open,
  empty_file,           ///< no non-blank line
  header_without_data,  ///< a header and nothing after it
  too_few_columns,      ///< fewer than 2 columns (a label and one feature)
  label_column_out_of_range,
  ragged_row,          ///< `values` fields where `expected` (as on line `expected_line`)
  non_numeric,         ///< `text` at (line, column)
  non_finite,          ///< `text`/`value` at (line, column)
  label_not_integer,   ///< `text`/`value` on `line`
  label_out_of_range,  ///< an integral label beyond the int64 range
  not_utf8,            ///< invalid UTF-8 at byte `byte_offset`
};

/// A problem with its position: enough for a caller to word its own message.
struct CsvProblem {
  CsvProblemKind kind = CsvProblemKind::empty_file;
  std::size_t line = 0;           ///< 1-based line number (0 when the problem has no line)
  std::size_t column = 0;         ///< 1-based column, for non_numeric and non_finite
  std::size_t values = 0;         ///< fields found (ragged_row, too_few_columns)
  std::size_t expected = 0;       ///< columns expected (ragged_row, label_column_out_of_range)
  std::size_t expected_line = 0;  ///< the line that fixed the column count
  std::string text;               ///< the field, without surrounding whitespace
  double value = 0.0;             ///< its value, when it parsed
  std::uint64_t byte_offset = 0;  ///< for not_utf8
  /// True when a structural problem (ragged row, non-number) exists somewhere in
  /// the file: the former reader then quoted field text rather than values.
  bool structural = false;
};

/// Thrown by every CSV reader; what() is a complete English message starting with the file name.
class CsvError : public std::runtime_error {
 public:
  CsvError(const std::string& source, CsvProblem problem);
  const CsvProblem& problem() const noexcept { return problem_; }

 private:
  CsvProblem problem_;
};

/// The shape of a CSV file, from its first non-blank line.
struct CsvLayout {
  std::size_t columns = 0;          ///< fields per row, label included
  std::size_t label_column = 0;     ///< 0-based, resolved from a negative CsvFormat::label_column
  std::size_t first_line = 0;       ///< 1-based number of the first non-blank line
  bool has_header = false;          ///< that line is a header (skipped)
  std::uint64_t data_offset = 0;    ///< byte offset where data rows start (after BOM and header)
  std::size_t data_first_line = 0;  ///< the line number at data_offset
};

/// Rows of a whole file: features (rows × (columns-1), row-major) and labels.
template <typename T>
struct CsvData {
  std::unique_ptr<T[]> features;
  std::unique_ptr<std::int64_t[]> labels;
  std::size_t rows = 0;
  std::size_t feature_columns = 0;
};

/// Reads the whole file at `path`, on up to `threads` threads (1 = the calling one
/// only), in 1 MiB reads: memory is the returned arrays plus a few MiB.
template <typename T>
CsvData<T> read_csv_file(const std::string& path, const CsvFormat& format, int threads = 1,
                         const ReadStopHook& should_stop = {});

/// A range of data rows of a file, read in order with bounded memory: the whole
/// data (from open_csv) or one block of it (from scan_csv_blocks).
class CsvRowReader {
 public:
  /// All data rows of `path`.
  CsvRowReader(const std::string& path, const CsvFormat& format);
  /// The rows in bytes [begin, end) of `path`, whose first line is `first_line`, with a known layout.
  CsvRowReader(const std::string& path, const CsvFormat& format, const CsvLayout& layout, std::uint64_t begin,
               std::uint64_t end, std::size_t first_line);
  ~CsvRowReader();
  CsvRowReader(const CsvRowReader&) = delete;
  CsvRowReader& operator=(const CsvRowReader&) = delete;

  const CsvLayout& layout() const noexcept;
  std::size_t feature_columns() const noexcept { return layout().columns - 1; }

  /// Reads up to `max_rows` rows into features (max_rows × feature_columns) and
  /// labels; returns how many, 0 at the end. Throws CsvError at the first problem
  /// in file order (rows before it were returned by earlier calls).
  std::size_t read(float* features, std::int64_t* labels, std::size_t max_rows);
  std::size_t read(double* features, std::int64_t* labels, std::size_t max_rows);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

/// One block of a file's data rows, cut at a line end.
struct CsvBlock {
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
  std::size_t first_line = 0;
  std::size_t rows = 0;  ///< non-blank lines in the block
};

/// The file's layout and its data cut into blocks of about `block_bytes` at line
/// ends, with the rows of each counted (values are not parsed: a CsvRowReader on
/// each block does that, which is how the Dask arrays are read in parallel).
std::vector<CsvBlock> scan_csv_blocks(const std::string& path, const CsvFormat& format, std::uint64_t block_bytes,
                                      CsvLayout& layout);

/// The layout of `path` (reads up to the first non-blank line and checks it).
CsvLayout csv_layout(const std::string& path, const CsvFormat& format);

}  // namespace akili::io
