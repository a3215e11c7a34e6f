// libFuzzer target for the model-file loader (akili::load_from_bytes).
//
// Every input is parsed twice: as it is (so the header, length and checksum
// checks are fuzzed), and with its body length and CRC-32 patched to match (so
// mutations reach the decoder behind the checksum instead of all dying there).
// A parse must either succeed or throw akili::ModelFormatError; anything else
// (another exception, a crash, a sanitizer report) is a bug. A model that loads
// must also predict finite outputs and re-encode to a fixed point:
// to_bytes(load(to_bytes(load(x)))) == to_bytes(load(x)).
//
// Build and run: tests/fuzz/build.sh, then
//   build-fuzz/fuzz_model_loader -max_total_time=60 corpus/
#include "akili/model_file.hpp"

#include "../../cpp/src/crc32.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <variant>
#include <vector>

namespace {

constexpr std::size_t kHeaderSize = 20;   // magic (8), major (2), minor (2), body length (8)
constexpr std::size_t kChecksumSize = 4;  // CRC-32 trailer

[[noreturn]] void bug(const char* what) {
  std::fprintf(stderr, "fuzz_model_loader: %s\n", what);
  std::abort();
}

template <typename Scalar>
void exercise(const akili::Model<Scalar>& model) {
  const akili::Network<Scalar>& network = model.network;
  // Sizes are bounded by the input length, so one sample is cheap.
  const akili::RowMatrix<Scalar> inputs = akili::RowMatrix<Scalar>::Constant(1, network.inputs(), Scalar(0.5));
  const akili::RowMatrix<Scalar> outputs = network.predict(inputs);
  if (outputs.cols() != network.outputs()) bug("predict returned the wrong number of columns");
  const std::vector<std::uint8_t> first = akili::to_bytes(network, model.info);
  const akili::AnyModel again = akili::load_from_bytes(first.data(), first.size());
  const auto* same = std::get_if<akili::Model<Scalar>>(&again);
  if (same == nullptr) bug("a re-encoded model came back with the other dtype");
  if (akili::to_bytes(same->network, same->info) != first) bug("to_bytes(load(x)) is not a fixed point");
}

void parse(const std::uint8_t* data, std::size_t size) {
  try {
    const akili::AnyModel model = akili::load_from_bytes(data, size);
    std::visit([](const auto& loaded) { exercise(loaded); }, model);
  } catch (const akili::ModelFormatError&) {
    // The one expected failure: a typed, described refusal.
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // As given; an empty input is passed as a null pointer, as a caller might.
  parse(size == 0 ? nullptr : data, size);

  // Consistent length and checksum, so the body decoder sees the mutation.
  if (size >= kHeaderSize + kChecksumSize) {
    std::vector<std::uint8_t> patched(data, data + size);
    const std::uint64_t body = size - kHeaderSize - kChecksumSize;
    for (int i = 0; i < 8; ++i) patched[12 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(body >> (8 * i));
    const std::uint32_t crc = akili::detail::crc32(patched.data(), size - kChecksumSize);
    for (int i = 0; i < 4; ++i)
      patched[size - kChecksumSize + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(crc >> (8 * i));
    parse(patched.data(), patched.size());
  }
  return 0;
}
