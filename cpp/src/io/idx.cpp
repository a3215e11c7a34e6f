// IDX headers, payload checks and the conversion of stored values to network inputs.
#include "akili/io/idx.hpp"

#include "text_lines.hpp"

#include <cstring>
#include <limits>

namespace akili::io {
namespace {

std::uint32_t big_endian_u32(const std::uint8_t* p) {
  return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | p[3];
}

/// One stored value as a double (every IDX type converts exactly).
double stored_value(std::uint8_t type_code, const std::uint8_t* p) {
  switch (type_code) {
    case 0x08:
      return p[0];
    case 0x09:
      return static_cast<std::int8_t>(p[0]);
    case 0x0B:
      return static_cast<std::int16_t>((std::uint16_t(p[0]) << 8) | p[1]);
    case 0x0C:
      return static_cast<std::int32_t>(big_endian_u32(p));
    case 0x0D: {
      const std::uint32_t bits = big_endian_u32(p);
      float value;
      std::memcpy(&value, &bits, sizeof value);
      return value;
    }
    default: {
      const std::uint64_t bits = (std::uint64_t(big_endian_u32(p)) << 32) | big_endian_u32(p + 4);
      double value;
      std::memcpy(&value, &bits, sizeof value);
      return value;
    }
  }
}

std::string size_text(const IdxHeader& header) {
  std::string shape;
  for (std::size_t d = 0; d < header.dims.size(); ++d) shape += (d ? "x" : "") + std::to_string(header.dims[d]);
  return shape + " values of " + std::to_string(header.value_bytes) + " byte(s)";
}

}  // namespace

std::size_t idx_value_bytes(std::uint8_t type_code) {
  switch (type_code) {
    case 0x08:
    case 0x09:
      return 1;
    case 0x0B:
      return 2;
    case 0x0C:
    case 0x0D:
      return 4;
    case 0x0E:
      return 8;
    default:
      return 0;
  }
}

IdxHeader parse_idx_header(const std::uint8_t* bytes, std::size_t size, const std::string& source) {
  if (size < 4) throw IdxError(source + ": truncated IDX header: need at least 4 bytes, got " + std::to_string(size));
  if (bytes[0] != 0 || bytes[1] != 0) {
    throw IdxError(source +
                   ": not an IDX file: bad magic number (IDX files start with two zero bytes, a type code "
                   "and the number of dimensions)");
  }
  IdxHeader header;
  header.type_code = bytes[2];
  header.value_bytes = idx_value_bytes(bytes[2]);
  if (header.value_bytes == 0) throw IdxError(source + ": unsupported IDX type code " + std::to_string(bytes[2]));
  const std::size_t rank = bytes[3];
  if (rank < 1 || rank > 4) {
    throw IdxError(source + ": unsupported IDX dimension count " + std::to_string(rank) + " (must be 1 to 4)");
  }
  header.header_bytes = 4 + 4 * rank;
  if (size < header.header_bytes) {
    throw IdxError(source + ": truncated IDX header: " + std::to_string(rank) + " dimensions need a " +
                   std::to_string(header.header_bytes) + "-byte header, got " + std::to_string(size) + " bytes");
  }
  header.values = 1;
  bool overflow = false;
  for (std::size_t d = 0; d < rank; ++d) {
    const std::uint32_t extent = big_endian_u32(bytes + 4 + 4 * d);
    header.dims.push_back(extent);
    // values · extent · value_bytes must fit in 64 bits: checked by division.
    if (extent != 0 && header.values > std::numeric_limits<std::uint64_t>::max() / 8 / extent) overflow = true;
    header.values *= extent;
  }
  if (overflow && header.values != 0) throw IdxError(source + ": implausible IDX dimensions: " + size_text(header));
  return header;
}

template <typename T>
void decode_idx_values(std::uint8_t type_code, const std::uint8_t* big_endian, std::size_t count, T* out,
                       const ValueScaling& scaling) {
  if (type_code == 0x08) {
    // Bytes (pixels): 256 possible values, each converted once.
    T table[256];
    for (int v = 0; v < 256; ++v) table[v] = scaling.apply<T>(static_cast<double>(v));
    for (std::size_t i = 0; i < count; ++i) out[i] = table[big_endian[i]];
    return;
  }
  const std::size_t step = idx_value_bytes(type_code);
  for (std::size_t i = 0; i < count; ++i) out[i] = scaling.apply<T>(stored_value(type_code, big_endian + i * step));
}

template void decode_idx_values<float>(std::uint8_t, const std::uint8_t*, std::size_t, float*, const ValueScaling&);
template void decode_idx_values<double>(std::uint8_t, const std::uint8_t*, std::size_t, double*, const ValueScaling&);

IdxArray parse_idx(std::vector<std::uint8_t> bytes, const std::string& source) {
  IdxArray array;
  array.header = parse_idx_header(bytes.data(), bytes.size(), source);
  const std::uint64_t have = bytes.size() - array.header.header_bytes;
  const std::uint64_t declared = array.header.values * array.header.value_bytes;
  if (have != declared) {
    throw IdxError(source + ": the header declares " + size_text(array.header) + " = " + std::to_string(declared) +
                   " bytes, but " + std::to_string(have) + " bytes follow it");
  }
  bytes.erase(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(array.header.header_bytes));
  array.payload = std::move(bytes);
  return array;
}

IdxArray read_idx_file(const std::string& path) {
  const detail::ReadOnlyFile file(path);
  if (!file.is_open()) throw IdxError(path + ": cannot open the file for reading");
  std::uint8_t head[20] = {};
  const std::size_t got = file.read_at(reinterpret_cast<char*>(head), sizeof head, 0);
  IdxArray array;
  array.header = parse_idx_header(head, std::min<std::size_t>(got, 4 + 4 * std::size_t(got >= 4 ? head[3] : 0)), path);
  const std::uint64_t have = file.size() - array.header.header_bytes;
  const std::uint64_t declared = array.header.values * array.header.value_bytes;
  if (have != declared) {
    throw IdxError(path + ": the header declares " + size_text(array.header) + " = " + std::to_string(declared) +
                   " bytes, but " + std::to_string(have) + " bytes follow it");
  }
  array.payload.resize(static_cast<std::size_t>(declared));
  if (file.read_at(reinterpret_cast<char*>(array.payload.data()), array.payload.size(), array.header.header_bytes) !=
      array.payload.size()) {
    throw IdxError(path + ": the file shrank while it was read");
  }
  return array;
}

}  // namespace akili::io
