// IDX reading with every size checked against the header before use.
#include "idx.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

#ifdef AKILI_EXAMPLE_HAVE_ZLIB
#include <zlib.h>
#endif

namespace example {
namespace {

std::vector<std::uint8_t> read_file(const std::string& path) {
  const bool gzipped = path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
  if (gzipped) {
#ifdef AKILI_EXAMPLE_HAVE_ZLIB
    gzFile file = gzopen(path.c_str(), "rb");
    if (file == nullptr) throw std::runtime_error("cannot open " + path);
    std::vector<std::uint8_t> bytes;
    std::uint8_t chunk[1 << 16];
    int got = 0;
    while ((got = gzread(file, chunk, sizeof chunk)) > 0) bytes.insert(bytes.end(), chunk, chunk + got);
    const bool failed = got < 0;
    gzclose(file);
    if (failed) throw std::runtime_error("corrupt gzip data in " + path);
    return bytes;
#else
    throw std::runtime_error(path + " is gzip-compressed but this example was built without zlib; "
                             "decompress it (gunzip -k) and pass the directory again");
#endif
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) throw std::runtime_error("cannot open " + path);
  return std::vector<std::uint8_t>((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
}

std::uint32_t big_endian_u32(const std::uint8_t* p) {
  return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | p[3];
}

}  // namespace

IdxArray read_idx(const std::string& path) {
  std::vector<std::uint8_t> bytes = read_file(path);
  // Magic: two zero bytes, type 0x08 (unsigned byte), number of dimensions.
  if (bytes.size() < 4 || bytes[0] != 0 || bytes[1] != 0 || bytes[2] != 0x08 || bytes[3] == 0) {
    throw std::runtime_error(path + " is not an IDX file of unsigned bytes");
  }
  const std::size_t rank = bytes[3];
  const std::size_t header = 4 + 4 * rank;
  if (bytes.size() < header) throw std::runtime_error(path + " is shorter than its IDX header");
  IdxArray array;
  std::uint64_t count = 1;
  for (std::size_t d = 0; d < rank; ++d) {
    const std::uint32_t dim = big_endian_u32(bytes.data() + 4 + 4 * d);
    array.dims.push_back(dim);
    // count · dim cannot exceed the bytes present: checked by division, never overflowing.
    if (dim != 0 && count > bytes.size() / dim) {
      throw std::runtime_error(path + ": the header declares more values than the file holds");
    }
    count *= dim;
  }
  if (count != bytes.size() - header) {
    throw std::runtime_error(path + ": the header declares " + std::to_string(count) + " values but " +
                             std::to_string(bytes.size() - header) + " bytes follow it");
  }
  array.values.assign(bytes.begin() + static_cast<std::ptrdiff_t>(header), bytes.end());
  return array;
}

std::string find_idx(const std::string& directory, const std::string& name) {
  const std::filesystem::path base = std::filesystem::path(directory) / name;
  if (std::filesystem::exists(base)) return base.string();
  if (std::filesystem::exists(base.string() + ".gz")) return base.string() + ".gz";
  throw std::runtime_error("neither " + base.string() + " nor " + base.string() + ".gz exists");
}

}  // namespace example
