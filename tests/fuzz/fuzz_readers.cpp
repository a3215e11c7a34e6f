// libFuzzer target for the core's readers (akili/io): CSV and IDX.
//
// The first byte picks the reader, the rest is the file: 0-2 the CSV file read
// whole (float, double with book scaling, and on two threads), 3 the CSV read in
// batches of 3 rows, 4 an IDX file parsed and decoded. A read must succeed or
// throw the reader's own error (CsvError, IdxError); a successful whole-file read
// must agree with the batch reader row for row, values must be finite and
// labels integral. Anything else (another exception, a crash, a sanitizer
// report) is a bug.
//
// Build and run: tests/fuzz/build.sh, then build-fuzz/fuzz_readers -max_total_time=60
#include "akili/io/csv.hpp"
#include "akili/io/idx.hpp"

#include <unistd.h>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

[[noreturn]] void bug(const char* what) {
  std::fprintf(stderr, "fuzz_readers: %s\n", what);
  std::abort();
}

std::string scratch_path() {
  static const std::string path = "/tmp/akili-fuzz-readers-" + std::to_string(::getpid()) + ".csv";
  return path;
}

void write_file(const std::string& path, const std::uint8_t* data, std::size_t size) {
  FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) bug("cannot write the scratch file");
  if (size != 0 && std::fwrite(data, 1, size, file) != size) bug("short write");
  std::fclose(file);
}

template <typename T>
void whole_file(const std::string& path, const akili::io::CsvFormat& format, int threads) {
  akili::io::CsvData<T> data;
  try {
    data = akili::io::read_csv_file<T>(path, format, threads);
  } catch (const akili::io::CsvError&) {
    return;
  }
  const std::size_t values = data.rows * data.feature_columns;
  for (std::size_t i = 0; i < values; ++i) {
    if (!std::isfinite(static_cast<double>(data.features[i]))) bug("a non-finite value was accepted");
  }
  // The batch reader must read the same rows (it stops at the first problem, and there is none).
  akili::io::CsvRowReader rows(path, format);
  std::vector<T> batch(3 * data.feature_columns);
  std::vector<std::int64_t> labels(3);
  std::size_t done = 0;
  for (std::size_t got; (got = rows.read(batch.data(), labels.data(), 3)) != 0; done += got) {
    if (done + got > data.rows) bug("the batch reader read more rows");
    if (std::memcmp(batch.data(), data.features.get() + done * data.feature_columns,
                    got * data.feature_columns * sizeof(T)) != 0 ||
        std::memcmp(labels.data(), data.labels.get() + done, got * sizeof(std::int64_t)) != 0) {
      bug("the batch reader and the whole-file reader disagree");
    }
  }
  if (done != data.rows) bug("the batch reader read fewer rows");
}

void batches(const std::string& path, const akili::io::CsvFormat& format) {
  try {
    akili::io::CsvRowReader rows(path, format);
    std::vector<float> batch(3 * rows.feature_columns());
    std::vector<std::int64_t> labels(3);
    while (rows.read(batch.data(), labels.data(), 3) != 0) {
    }
  } catch (const akili::io::CsvError&) {
  }
}

void idx(const std::uint8_t* data, std::size_t size) {
  akili::io::IdxArray array;
  try {
    array = akili::io::parse_idx(std::vector<std::uint8_t>(data, data + size), "fuzz");
  } catch (const akili::io::IdxError&) {
    return;
  }
  if (array.payload.size() != array.header.values * array.header.value_bytes) bug("payload size mismatch");
  std::vector<double> out(array.header.values);
  akili::io::ValueScaling scaling;
  scaling.kind = akili::io::InputScaling::book;
  akili::io::decode_idx_values<double>(array.header.type_code, array.payload.data(), out.size(), out.data(), scaling);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t choice = data[0] % 5;
  ++data;
  --size;
  if (choice == 4) {
    idx(data, size);
    return 0;
  }
  const std::string path = scratch_path();
  write_file(path, data, size);
  akili::io::CsvFormat format;
  if (choice == 0) whole_file<float>(path, format, 1);
  if (choice == 1) {
    format.scaling.kind = akili::io::InputScaling::book;
    format.label_column = -1;
    whole_file<double>(path, format, 1);
  }
  if (choice == 2) {
    format.delimiter = ';';
    whole_file<double>(path, format, 2);
  }
  if (choice == 3) batches(path, format);
  return 0;
}
