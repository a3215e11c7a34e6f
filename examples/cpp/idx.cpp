// IDX files for the example: decompression here, parsing and size checks in the core.
#include "idx.hpp"

#include <filesystem>
#include <stdexcept>
#include <vector>

#ifdef AKILI_EXAMPLE_HAVE_ZLIB
#include <zlib.h>
#endif

namespace example {
namespace {

/// The decompressed bytes of a gzip file.
std::vector<std::uint8_t> read_gzip(const std::string& path) {
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
  throw std::runtime_error(path +
                           " is gzip-compressed but this example was built without zlib; "
                           "decompress it (gunzip -k) and pass the directory again");
#endif
}

}  // namespace

akili::io::IdxArray read_idx(const std::string& path) {
  const bool gzipped = path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
  if (!gzipped) return akili::io::read_idx_file(path);
  return akili::io::parse_idx(read_gzip(path), path);
}

std::string find_idx(const std::string& directory, const std::string& name) {
  const std::filesystem::path base = std::filesystem::path(directory) / name;
  if (std::filesystem::exists(base)) return base.string();
  if (std::filesystem::exists(base.string() + ".gz")) return base.string() + ".gz";
  throw std::runtime_error("neither " + base.string() + " nor " + base.string() + ".gz exists");
}

}  // namespace example
