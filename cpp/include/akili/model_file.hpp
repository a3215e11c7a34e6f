#pragma once
// The akili model file: one safe binary format for a trained Network, written and
// read by the core so C++ programs and the Python package exchange models with
// bit-identical weights. docs/model-format.md describes it byte by byte.
//
// Safe by construction: a fixed little-endian layout of numbers and codes (no
// code, no pickle), a CRC-32 over everything before it, and a loader that checks
// every size against the bytes actually present before allocating anything.

#include "akili/network.hpp"

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <system_error>
#include <variant>
#include <vector>

namespace akili {

/// Thrown for any malformed model file: wrong magic bytes, a newer major format
/// version, truncation, trailing bytes, a checksum mismatch, an unknown code, an
/// absurd size, layers that do not chain or a non-finite weight. The message says
/// where (byte offset, layer) and what was expected and what arrived.
class ModelFormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Thrown when the file system refuses a read or write; code() holds the errno
/// value (e.g. ENOENT for a missing file) and path() the file concerned.
class ModelFileError : public std::system_error {
 public:
  ModelFileError(int error_number, const std::string& what, std::string path)
      : std::system_error(error_number, std::generic_category(), what), path_(std::move(path)) {}
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

/// Format version this build writes by default; it reads major versions 1 and 2
/// (any minor version of them).
constexpr std::uint16_t kModelFormatMajor = 2;
constexpr std::uint16_t kModelFormatMinor = 0;
/// The oldest major version this build still reads and writes.
constexpr std::uint16_t kModelFormatOldestMajor = 1;

/// What the file records besides the network itself: the seed and initialisation
/// the weights were first drawn with, and the format version.
///   version 2 also holds the optimizer (settings and state) and the random
///             source's state: a loaded network continues training exactly as
///             the saved one would have (same steps, same shuffles)
///   version 1 holds neither: the network loads with plain SGD and its random
///             source restarts from `seed`
struct ModelInfo {
  std::uint64_t seed = 0;
  Init init = Init::book;
  /// The major version save() and to_bytes() write (1 or 2); load() reports the file's.
  std::uint16_t format = kModelFormatMajor;
};

/// A network loaded from a file, with the information saved beside it.
template <typename Scalar>
struct Model {
  Network<Scalar> network;
  ModelInfo info;
};

/// Either precision: the file's dtype decides which alternative holds.
using AnyModel = std::variant<Model<float>, Model<double>>;

/// The complete file contents for `network` (layers, weights, bias, trainable
/// masks, frozen flags, loss, rule, learning rate; in version 2 the optimizer and
/// the random source too) and `info`; without `info`, the network's own seed()
/// and init() in the current version. Throws std::invalid_argument for a format
/// other than 1 or 2.
template <typename Scalar>
std::vector<std::uint8_t> to_bytes(const Network<Scalar>& network, const ModelInfo& info);
template <typename Scalar>
std::vector<std::uint8_t> to_bytes(const Network<Scalar>& network);

/// Writes `network` to `path` crash-safely: the bytes go to a temporary file in the
/// same directory, which is flushed, fsync'ed and atomically renamed over `path`.
/// On any failure `path` is left as it was, the temporary is removed and
/// ModelFileError is thrown. Without `info` the file records the network's own
/// seed() and init().
template <typename Scalar>
void save(const Network<Scalar>& network, const std::string& path, const ModelInfo& info, const char* caller = nullptr);
template <typename Scalar>
void save(const Network<Scalar>& network, const std::string& path, const char* caller = nullptr);

/// Parses a whole model file held in memory (`size` bytes at `data`).
/// Throws ModelFormatError for anything but a well-formed file.
AnyModel load_from_bytes(const std::uint8_t* data, std::size_t size, const char* caller = nullptr);

/// Reads and parses the model file at `path`. Throws ModelFileError when it cannot
/// be read (code() == ENOENT when missing) and ModelFormatError when it is malformed.
AnyModel load(const std::string& path, const char* caller = nullptr);

/// Like load(), for callers that know the precision: throws ModelFormatError when
/// the file holds the other dtype.
template <typename Scalar>
Model<Scalar> load_as(const std::string& path, const char* caller = nullptr);

// Every message of save() and the loaders begins with the name of the call,
// "[akili::save] ..." or "[akili::load] ...": `caller`, when given, names it
// instead (a binding passes the name its users call, e.g. "akili.load").

extern template std::vector<std::uint8_t> to_bytes(const Network<float>&);
extern template std::vector<std::uint8_t> to_bytes(const Network<double>&);
extern template void save(const Network<float>&, const std::string&, const char*);
extern template void save(const Network<double>&, const std::string&, const char*);
extern template std::vector<std::uint8_t> to_bytes(const Network<float>&, const ModelInfo&);
extern template std::vector<std::uint8_t> to_bytes(const Network<double>&, const ModelInfo&);
extern template void save(const Network<float>&, const std::string&, const ModelInfo&, const char*);
extern template void save(const Network<double>&, const std::string&, const ModelInfo&, const char*);
extern template Model<float> load_as<float>(const std::string&, const char*);
extern template Model<double> load_as<double>(const std::string&, const char*);

}  // namespace akili
