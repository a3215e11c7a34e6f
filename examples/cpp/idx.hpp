#pragma once
// Reader for the IDX files MNIST and Fashion-MNIST ship in: a big-endian header
// (magic 0x0000 08 NN, NN = number of dimensions; then each dimension as u32)
// followed by unsigned bytes.

#include <cstdint>
#include <string>
#include <vector>

namespace example {

/// An IDX array of unsigned bytes: `dims` (e.g. {60000, 28, 28}) and the values, row-major.
struct IdxArray {
  std::vector<std::uint32_t> dims;
  std::vector<std::uint8_t> values;
};

/// Reads `path` (raw, or gzip-compressed when built with zlib). Throws
/// std::runtime_error naming the file when it is missing, not IDX of unsigned
/// bytes, or shorter or longer than its header says.
IdxArray read_idx(const std::string& path);

/// The first of `directory/name` and `directory/name.gz` that exists.
std::string find_idx(const std::string& directory, const std::string& name);

}  // namespace example
