#pragma once
// IDX files, the format MNIST and Fashion-MNIST ship in: a big-endian header
// (two zero bytes, a type code, the number of dimensions, then each dimension as
// a u32) followed by the values, big-endian, row-major.
//
// The core reads uncompressed bytes only: gzip is undone by the caller and fed
// here (Python's gzip module for akili.datasets; zlib in examples/cpp), so the
// core needs no compression library.

#include "akili/io/scaling.hpp"

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace akili::io {

/// A malformed IDX file; what() names the file.
struct IdxError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct IdxHeader {
  std::uint8_t type_code = 0x08;    ///< 0x08 u8, 0x09 i8, 0x0B i16, 0x0C i32, 0x0D f32, 0x0E f64
  std::vector<std::uint32_t> dims;  ///< 1 to 4 extents
  std::size_t header_bytes = 0;     ///< 4 + 4 · dims
  std::size_t value_bytes = 1;      ///< bytes per value
  std::uint64_t values = 0;         ///< product of dims
};

/// Bytes per value of an IDX type code, 0 for an unknown code.
std::size_t idx_value_bytes(std::uint8_t type_code);

/// Reads the header from the first `size` bytes (all of it must be there).
/// Throws IdxError naming `source` for a bad magic, type code or dimension count.
IdxHeader parse_idx_header(const std::uint8_t* bytes, std::size_t size, const std::string& source);

/// Converts `count` big-endian values of `type_code` to T with the scaling
/// applied (bit for bit what NumPy gives for raw.astype(float64) then
/// akili.datasets.scale_book, or for raw.astype(T) / T(max) with unit scaling).
template <typename T>
void decode_idx_values(std::uint8_t type_code, const std::uint8_t* big_endian, std::size_t count, T* out,
                       const ValueScaling& scaling);

/// A whole IDX array: its header and its values as stored (big-endian bytes).
struct IdxArray {
  IdxHeader header;
  std::vector<std::uint8_t> payload;
};

/// Checks uncompressed IDX `bytes` (header, and a payload of exactly the declared
/// size) and returns the array; throws IdxError naming `source`.
IdxArray parse_idx(std::vector<std::uint8_t> bytes, const std::string& source);

/// Reads an uncompressed IDX file; sizes are checked against the file size before
/// the payload is allocated.
IdxArray read_idx_file(const std::string& path);

}  // namespace akili::io
