// The readers (akili/io): number syntax and rounding, line endings, the CSV
// problems with their line numbers, batches, and IDX headers and decoding.
#include <doctest/doctest.h>

#include "akili/io/csv.hpp"
#include "akili/io/idx.hpp"
#include "io/text_lines.hpp"

#include <unistd.h>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

std::string write_temp(const std::string& content) {
  static int counter = 0;
  const std::string path = "akili_io_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + ".csv";
  FILE* file = std::fopen(path.c_str(), "wb");
  std::fwrite(content.data(), 1, content.size(), file);
  std::fclose(file);
  return path;
}

bool parses(const std::string& text, double& value) {
  return akili::io::detail::parse_number(text.data(), text.data() + text.size(), value);
}

akili::io::CsvProblem problem_of(const std::string& content) {
  const std::string path = write_temp(content);
  try {
    akili::io::read_csv_file<double>(path, akili::io::CsvFormat{}, 2);
  } catch (const akili::io::CsvError& error) {
    std::remove(path.c_str());
    return error.problem();
  }
  std::remove(path.c_str());
  FAIL("the file was accepted");
  return {};
}

}  // namespace

TEST_CASE("numbers round as strtod does, on the fast path and the general one") {
  for (const char* text : {"0.1", "123456.789", "-2.5E+3", "1e-5", "0.30000000000000004", "98765432109876543210",
                           "4e-320", "1.7976931348623157e308", ".5", "5.", "+7", "-0"}) {
    double value = 0;
    REQUIRE(parses(text, value));
    const double expected = std::strtod(text, nullptr);
    CHECK(std::memcmp(&value, &expected, sizeof value) == 0);
  }
  double value = 0;
  for (const char* text : {"", ".", "-", "+-1", "1e", "0x10", "nan(1)", "1_000", "1 2", "abc"}) {
    CHECK_FALSE(parses(text, value));
  }
  REQUIRE(parses("1e400", value));
  CHECK(value == HUGE_VAL);
}

TEST_CASE("CSV rows: header, BOM, blank lines and every line ending") {
  const std::string path = write_temp("\xEF\xBB\xBFlabel,a,b\r\n\r\n1,0.5,2\r0,255,-4\n\n2,1,1");
  akili::io::CsvFormat format;
  format.scaling.kind = akili::io::InputScaling::book;
  const akili::io::CsvData<float> data = akili::io::read_csv_file<float>(path, format, 1);
  std::remove(path.c_str());
  REQUIRE(data.rows == 3);
  REQUIRE(data.feature_columns == 2);
  CHECK(data.labels[0] == 1);
  CHECK(data.labels[2] == 2);
  CHECK(data.features[2] == static_cast<float>(255.0 / 255.0 * 0.99 + 0.01));
  CHECK(data.features[3] == static_cast<float>(-4.0 / 255.0 * 0.99 + 0.01));
}

TEST_CASE("CSV problems carry their kind and 1-based line") {
  using Kind = akili::io::CsvProblemKind;
  CHECK(problem_of("").kind == Kind::empty_file);
  CHECK(problem_of("a,b\n\n").kind == Kind::header_without_data);
  akili::io::CsvProblem ragged = problem_of("1,2,3\r\n\r\n4,5\r\n");
  CHECK(ragged.kind == Kind::ragged_row);
  CHECK(ragged.line == 3);
  CHECK(ragged.values == 2);
  akili::io::CsvProblem text = problem_of("1,2\n3,x\n");
  CHECK(text.kind == Kind::non_numeric);
  CHECK(text.line == 2);
  CHECK(text.column == 2);
  CHECK(text.text == "x");
  // Without a structural problem the first non-finite value wins over an earlier bad label.
  akili::io::CsvProblem finite = problem_of("1.5,2\n1,inf\n");
  CHECK(finite.kind == Kind::non_finite);
  CHECK(finite.line == 2);
}

TEST_CASE("the batch reader returns the rows in order and stops at the first problem") {
  const std::string path = write_temp("1,2\n3,4\n5,6\n7,y\n");
  akili::io::CsvRowReader rows(path, akili::io::CsvFormat{});
  std::vector<double> features(2);
  std::vector<std::int64_t> labels(2);
  CHECK(rows.read(features.data(), labels.data(), 2) == 2);
  CHECK(labels[1] == 3);
  CHECK(rows.read(features.data(), labels.data(), 1) == 1);
  CHECK(features[0] == 6.0);
  CHECK_THROWS_AS(rows.read(features.data(), labels.data(), 2), akili::io::CsvError);
  std::remove(path.c_str());
}

TEST_CASE("IDX: header checks and big-endian decoding") {
  const std::vector<std::uint8_t> bytes = {0, 0, 0x0B, 1, 0, 0, 0, 2, 0x01, 0x00, 0xFF, 0xFE};
  const akili::io::IdxArray array = akili::io::parse_idx(bytes, "v.idx");
  REQUIRE(array.header.dims == std::vector<std::uint32_t>{2});
  double values[2];
  akili::io::decode_idx_values<double>(array.header.type_code, array.payload.data(), 2, values, {});
  CHECK(values[0] == 256.0);
  CHECK(values[1] == -2.0);
  CHECK_THROWS_AS(akili::io::parse_idx({0, 0, 0x0B, 1, 0, 0, 0, 3, 1, 2}, "short.idx"), akili::io::IdxError);
  CHECK_THROWS_AS(akili::io::parse_idx({1, 0, 8, 1}, "magic.idx"), akili::io::IdxError);
}
