#pragma once
// Finding and opening the IDX files MNIST and Fashion-MNIST ship in. Parsing and
// checking them is the core's (akili/io/idx.hpp); this example adds only the
// gzip decompression (through zlib, when available), which the core leaves to
// its callers.

#include "akili/io/idx.hpp"

#include <string>

namespace example {

/// Reads `path` (raw, or gzip-compressed when built with zlib) and parses it with
/// akili::io::parse_idx. Throws std::runtime_error (akili::io::IdxError for a
/// malformed file) naming the file.
akili::io::IdxArray read_idx(const std::string& path);

/// The first of `directory/name` and `directory/name.gz` that exists.
std::string find_idx(const std::string& directory, const std::string& name);

}  // namespace example
