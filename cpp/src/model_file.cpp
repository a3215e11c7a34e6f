// The model file (docs/model-format.md): encoding, the validating decoder, and
// crash-safe file I/O.
#include "akili/model_file.hpp"

#include "akili/loss.hpp"
#include "crc32.hpp"
#include "number_text.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace akili {
namespace {

// "\x89AKILI\r\n": the high byte catches 7-bit transfers, CR LF catches newline
// translation, and no text file starts this way.
constexpr std::array<std::uint8_t, 8> kMagic{0x89, 'A', 'K', 'I', 'L', 'I', '\r', '\n'};
constexpr std::size_t kHeaderSize = 20;   // magic, major, minor, body length
constexpr std::size_t kChecksumSize = 4;  // CRC-32 trailer
constexpr std::size_t kModelFieldsSize = 24;
constexpr std::size_t kLayerFieldsSize = 18;

constexpr std::uint8_t kFloat32 = 1;
constexpr std::uint8_t kFloat64 = 2;
constexpr std::uint8_t kFlagBias = 1u << 0;
constexpr std::uint8_t kFlagFrozen = 1u << 1;
constexpr std::uint8_t kFlagMask = 1u << 2;
// Dropout (a hidden layer's training-time rate, an f64 after the mask): files
// without it are byte for byte those of earlier releases, and an earlier reader
// refuses a file with it by this unknown flag instead of dropping the setting.
constexpr std::uint8_t kFlagDropout = 1u << 3;
constexpr std::uint8_t kKnownFlags = kFlagBias | kFlagFrozen | kFlagMask | kFlagDropout;

// Codes on disk, indexed by code: fixed by the format, independent of the enums' order.
constexpr std::array<Activation, 5> kActivationCodes{Activation::identity, Activation::sigmoid, Activation::tanh,
                                                     Activation::relu, Activation::softmax};
constexpr std::array<Loss, 3> kLossCodes{Loss::squared_error, Loss::mse, Loss::cross_entropy};
constexpr std::array<Rule, 3> kRuleCodes{Rule::transpose, Rule::gradient, Rule::normalized};
constexpr std::array<Init, 3> kInitCodes{Init::book, Init::xavier, Init::he};
constexpr std::array<OptimizerKind, 6> kOptimizerCodes{OptimizerKind::sgd,     OptimizerKind::adagrad,
                                                       OptimizerKind::rmsprop, OptimizerKind::adam,
                                                       OptimizerKind::adamw,   OptimizerKind::rprop};
constexpr std::uint8_t kOptimizerNesterov = 1u << 0;
constexpr std::uint8_t kOptimizerCentered = 1u << 1;
constexpr std::size_t kOptimizerFieldsSize = 2 + 13 * 8 + 4;  // code, flags, 13 settings, tensor count
constexpr std::size_t kRandomStateSize = 6 * 8;

template <typename Enum, std::size_t N>
std::uint8_t code_of(const std::array<Enum, N>& codes, Enum value) {
  for (std::size_t code = 0; code < N; ++code) {
    if (codes[code] == value) return static_cast<std::uint8_t>(code);
  }
  throw std::invalid_argument("[akili::save] no file code for value " + std::to_string(static_cast<int>(value)));
}

/// The API the user called, named at the head of every message (C++ callers get
/// akili::load or akili::save, the Python bindings pass akili.load, Network.save,
/// ...). The messages are built deep inside the decoder's helpers, so the public
/// functions set the name for the length of the call rather than hand it down
/// through every helper; thread_local, as concurrent calls name their own.
thread_local const char* current_caller = nullptr;

/// Sets current_caller for one public call: `caller` when given, else the name of
/// an enclosing call (load() reading through load_from_bytes()), else `fallback`.
class NamedCall {
 public:
  NamedCall(const char* caller, const char* fallback) : previous_(current_caller) {
    current_caller = caller ? caller : (previous_ ? previous_ : fallback);
  }
  ~NamedCall() { current_caller = previous_; }
  NamedCall(const NamedCall&) = delete;
  NamedCall& operator=(const NamedCall&) = delete;

 private:
  const char* previous_;
};

const char* caller_name() { return current_caller ? current_caller : "akili::load"; }

/// "[caller] message"
std::string named(const std::string& message) { return "[" + std::string(caller_name()) + "] " + message; }

[[noreturn]] void fail(const std::string& message) { throw ModelFormatError(named(message)); }

/// Little-endian encoder: byte order fixed by shifts, whatever the host's.
class Writer {
 public:
  void u8(std::uint8_t value) { bytes_.push_back(value); }
  void u16(std::uint16_t value) { put(value, 2); }
  void u32(std::uint32_t value) { put(value, 4); }
  void u64(std::uint64_t value) { put(value, 8); }
  void f32(float value) {
    std::uint32_t bits;
    std::memcpy(&bits, &value, sizeof bits);  // IEEE 754 binary32 bit pattern
    u32(bits);
  }
  void f64(double value) {
    std::uint64_t bits;
    std::memcpy(&bits, &value, sizeof bits);  // IEEE 754 binary64 bit pattern
    u64(bits);
  }
  void scalar(float value) { f32(value); }
  void scalar(double value) { f64(value); }
  void reserve(std::size_t size) { bytes_.reserve(size); }
  std::vector<std::uint8_t>& bytes() { return bytes_; }

 private:
  void put(std::uint64_t value, int size) {
    for (int i = 0; i < size; ++i) bytes_.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
  }
  std::vector<std::uint8_t> bytes_;
};

/// Little-endian decoder over a buffer whose every read is bounds-checked first.
class Reader {
 public:
  /// Reads bytes [start, end) of `data`; offsets in messages count from `data`.
  Reader(const std::uint8_t* data, std::size_t start, std::size_t end) : data_(data), size_(end), offset_(start) {}

  std::size_t offset() const { return offset_; }
  std::size_t remaining() const { return size_ - offset_; }

  /// Throws unless `count` more bytes are present.
  void need(std::size_t count, const std::string& what) const {
    if (count > remaining()) {
      fail(what + " needs " + std::to_string(count) + " bytes at offset " + std::to_string(offset_) + " but only " +
           std::to_string(remaining()) + " remain");
    }
  }
  std::uint8_t u8(const char* what) { return static_cast<std::uint8_t>(get(1, what)); }
  std::uint16_t u16(const char* what) { return static_cast<std::uint16_t>(get(2, what)); }
  std::uint32_t u32(const char* what) { return static_cast<std::uint32_t>(get(4, what)); }
  std::uint64_t u64(const char* what) { return get(8, what); }
  double f64(const char* what) {
    const std::uint64_t bits = get(8, what);
    double value;
    std::memcpy(&value, &bits, sizeof value);
    return value;
  }
  /// Unchecked scalar read; the caller has checked the whole block with need().
  void scalar(float& value) {
    const auto bits = static_cast<std::uint32_t>(raw(4));
    std::memcpy(&value, &bits, sizeof value);
  }
  void scalar(double& value) {
    const std::uint64_t bits = raw(8);
    std::memcpy(&value, &bits, sizeof value);
  }
  std::uint8_t byte_unchecked() { return data_[offset_++]; }

 private:
  std::uint64_t get(int size, const char* what) {
    need(static_cast<std::size_t>(size), what);
    return raw(size);
  }
  std::uint64_t raw(int size) {
    std::uint64_t value = 0;
    for (int i = 0; i < size; ++i) value |= static_cast<std::uint64_t>(data_[offset_ + i]) << (8 * i);
    offset_ += static_cast<std::size_t>(size);
    return value;
  }

  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t offset_;
};

/// a · b, or false when it would exceed `limit` (no wrap-around possible).
bool multiply_within(std::uint64_t a, std::uint64_t b, std::uint64_t limit, std::uint64_t& product) {
  if (a != 0 && b > limit / a) return false;
  product = a * b;
  return product <= limit;
}

template <typename Enum, std::size_t N>
Enum decode(const std::array<Enum, N>& codes, std::uint8_t code, const std::string& what, std::size_t offset) {
  if (code >= N) {
    fail("unknown " + what + " code " + std::to_string(code) + " at offset " + std::to_string(offset) +
         "; expected 0.." + std::to_string(N - 1));
  }
  return codes[code];
}

template <typename Scalar>
void encode_network(Writer& out, const Network<Scalar>& network, const ModelInfo& info) {
  out.u8(sizeof(Scalar) == 4 ? kFloat32 : kFloat64);
  out.u8(code_of(kLossCodes, network.loss()));
  out.u8(code_of(kRuleCodes, network.rule()));
  out.u8(code_of(kInitCodes, info.init));
  out.u32(static_cast<std::uint32_t>(network.layer_count()));
  out.f64(static_cast<double>(network.learning_rate()));  // exact for float32 too
  out.u64(info.seed);
  for (std::size_t k = 0; k < network.layer_count(); ++k) {
    const Dense<Scalar>& layer = network.layer(k);
    const bool has_mask = layer.trainable_mask().size() != 0;
    out.u64(static_cast<std::uint64_t>(layer.inputs()));
    out.u64(static_cast<std::uint64_t>(layer.outputs()));
    out.u8(code_of(kActivationCodes, layer.activation()));
    const bool has_dropout = layer.dropout() != 0.0;
    out.u8(static_cast<std::uint8_t>((layer.has_bias() ? kFlagBias : 0) | (layer.frozen() ? kFlagFrozen : 0) |
                                     (has_mask ? kFlagMask : 0) | (has_dropout ? kFlagDropout : 0)));
    // Row-major: W(i, j), the link from input j to node i, is value i·inputs + j.
    const auto& weights = layer.weights();
    for (Eigen::Index i = 0; i < weights.rows(); ++i) {
      for (Eigen::Index j = 0; j < weights.cols(); ++j) out.scalar(weights(i, j));
    }
    if (layer.has_bias()) {
      for (Eigen::Index i = 0; i < layer.bias().size(); ++i) out.scalar(layer.bias()(i));
    }
    if (has_mask) {
      const auto& mask = layer.trainable_mask();
      for (Eigen::Index i = 0; i < mask.rows(); ++i) {
        for (Eigen::Index j = 0; j < mask.cols(); ++j) out.u8(mask(i, j) != Scalar(0) ? 1 : 0);
      }
    }
    if (has_dropout) out.f64(layer.dropout());
  }
  if (info.format < 2) return;
  // Version 2: the optimizer, then the random source, so training resumes exactly.
  const Optimizer<Scalar> optimizer = network.optimizer();
  const OptimizerSettings& settings = optimizer.settings();
  out.u8(code_of(kOptimizerCodes, settings.kind));
  out.u8(static_cast<std::uint8_t>((settings.nesterov ? kOptimizerNesterov : 0) |
                                   (settings.centered ? kOptimizerCentered : 0)));
  for_each_number(settings, [&](const char*, double value) { out.f64(value); });
  out.u32(static_cast<std::uint32_t>(optimizer.states().size()));
  for (const auto& state : optimizer.states()) {
    out.u64(state.steps);
    for (const auto& slot : state.slots) {
      out.u64(static_cast<std::uint64_t>(slot.size()));
      for (Eigen::Index i = 0; i < slot.size(); ++i) out.scalar(slot(i));
    }
  }
  for (const std::uint64_t word : network.random_source().state()) out.u64(word);
}

/// Version 2's optimizer section, for `network` (its layers are read): settings
/// checked as set_optimizer checks them, every slot's count checked against those
/// settings and the bytes present before a value is read.
template <typename Scalar>
Optimizer<Scalar> decode_optimizer(Reader& in, const Network<Scalar>& network) {
  const std::size_t at = in.offset();
  in.need(kOptimizerFieldsSize, "the optimizer section");
  OptimizerSettings settings;
  settings.kind = decode(kOptimizerCodes, in.u8("optimizer"), "optimizer", at);
  const std::uint8_t flags = in.u8("optimizer flags");
  constexpr std::uint8_t kKnownOptimizerFlags = kOptimizerNesterov | kOptimizerCentered;
  if ((flags & ~kKnownOptimizerFlags) != 0) {
    fail("the optimizer has unknown flag bits " + std::to_string(flags & ~kKnownOptimizerFlags) + " at offset " +
         std::to_string(at + 1) + "; expected only nesterov (1) and centered (2)");
  }
  settings.nesterov = (flags & kOptimizerNesterov) != 0;
  settings.centered = (flags & kOptimizerCentered) != 0;
  for_each_number(settings, [&](const char*, double& value) { value = in.f64("optimizer setting"); });
  std::optional<Optimizer<Scalar>> optimizer;
  try {
    optimizer.emplace(settings, caller_name());
  } catch (const std::invalid_argument& error) {
    fail(std::string("the optimizer settings at offset ") + std::to_string(at) + " are out of range: " + error.what());
  }
  const std::vector<Eigen::Index> sizes = network.parameter_sizes();
  optimizer->allocate(sizes);  // bounded by the layers already read from the file
  const std::uint32_t tensors = in.u32("optimizer tensor count");
  if (tensors != sizes.size()) {
    fail("the optimizer holds state for " + std::to_string(tensors) + " tensors; expected " +
         std::to_string(sizes.size()) + " (a weight matrix and a bias per layer)");
  }
  std::vector<ParameterState<Scalar>> states = optimizer->states();
  for (std::size_t t = 0; t < states.size(); ++t) {
    states[t].steps = in.u64("optimizer steps");
    for (std::size_t slot = 0; slot < states[t].slots.size(); ++slot) {
      auto& values = states[t].slots[slot];
      const std::size_t count_at = in.offset();
      const std::uint64_t count = in.u64("optimizer slot size");
      if (count != static_cast<std::uint64_t>(values.size())) {
        fail("optimizer tensor " + std::to_string(t) + " slot " + std::to_string(slot) + " at offset " +
             std::to_string(count_at) + " declares " + std::to_string(count) + " values; expected " +
             std::to_string(values.size()) + " for " + to_string(settings.kind));
      }
      in.need(static_cast<std::size_t>(count) * sizeof(Scalar), "optimizer tensor " + std::to_string(t));
      for (Eigen::Index i = 0; i < values.size(); ++i) in.scalar(values(i));
    }
  }
  try {
    optimizer->set_states(std::move(states), caller_name());
  } catch (const std::invalid_argument& error) {
    fail(std::string("the optimizer state is not usable: ") + error.what());
  }
  return *optimizer;
}

/// Everything in the body after the dtype byte, for one precision and format version.
template <typename Scalar>
Model<Scalar> decode_network(Reader& in, std::uint16_t format) {
  const std::size_t loss_at = in.offset();
  const Loss loss = decode(kLossCodes, in.u8("loss"), "loss", loss_at);
  const Rule rule = decode(kRuleCodes, in.u8("rule"), "rule", loss_at + 1);
  const Init init = decode(kInitCodes, in.u8("init"), "init", loss_at + 2);
  const std::uint32_t layer_count = in.u32("layer count");
  const double stored_rate = in.f64("learning rate");
  const std::size_t rate_at = in.offset() - 8;
  const std::uint64_t seed = in.u64("seed");
  // Range-checked before the conversion (an out-of-range double -> float is undefined).
  const bool rate_fits = std::isfinite(stored_rate) && stored_rate > 0.0 &&
                         stored_rate <= static_cast<double>(std::numeric_limits<Scalar>::max());
  const Scalar learning_rate = rate_fits ? static_cast<Scalar>(stored_rate) : Scalar(0);
  if (!(learning_rate > Scalar(0))) {
    fail("expected a positive finite learning rate at offset " + std::to_string(rate_at) + ", got " +
         detail::number_text(static_cast<double>(stored_rate)));
  }
  if (layer_count == 0) fail("expected at least one layer, got a layer count of 0");
  // Each layer takes at least its fixed fields plus one weight: refuse a count the
  // remaining bytes cannot hold before reserving anything for it.
  std::uint64_t minimum = 0;
  if (!multiply_within(layer_count, kLayerFieldsSize + sizeof(Scalar), in.remaining(), minimum)) {
    fail("layer count " + std::to_string(layer_count) + " cannot fit in the " + std::to_string(in.remaining()) +
         " bytes that remain");
  }

  std::vector<Dense<Scalar>> layers;
  layers.reserve(layer_count);
  std::uint64_t previous_outputs = 0;
  for (std::uint32_t k = 0; k < layer_count; ++k) {
    const std::string where = "layer " + std::to_string(k);
    const std::size_t layer_at = in.offset();
    in.need(kLayerFieldsSize, where + " header");
    const std::uint64_t inputs = in.u64("inputs");
    const std::uint64_t outputs = in.u64("outputs");
    const Activation activation = decode(kActivationCodes, in.u8("activation"), where + " activation", layer_at + 16);
    const std::uint8_t flags = in.u8("flags");
    if ((flags & ~kKnownFlags) != 0) {
      fail(where + " has unknown flag bits " + std::to_string(flags & ~kKnownFlags) + " at offset " +
           std::to_string(layer_at + 17) + "; expected only bias (1), frozen (2), mask (4) and dropout (8)");
    }
    if ((flags & kFlagDropout) != 0 && k + 1 == layer_count) {
      fail(where + " is the output layer and has the dropout flag at offset " + std::to_string(layer_at + 17) +
           "; only hidden layers can have dropout");
    }
    if (inputs == 0 || outputs == 0) {
      fail(where + " has shape (" + std::to_string(outputs) + ", " + std::to_string(inputs) +
           "); expected positive sizes");
    }
    if (k > 0 && inputs != previous_outputs) {
      fail(where + " expects " + std::to_string(inputs) + " inputs but layer " + std::to_string(k - 1) + " has " +
           std::to_string(previous_outputs) + " outputs");
    }
    // Bytes this layer declares, computed without overflow and compared with what
    // is actually left before a single value is allocated.
    const std::uint64_t limit = in.remaining();
    std::uint64_t count = 0, weight_bytes = 0, bias_bytes = 0, mask_bytes = 0;
    const bool sizes_fit = multiply_within(inputs, outputs, limit, count) &&
                           multiply_within(count, sizeof(Scalar), limit, weight_bytes) &&
                           multiply_within((flags & kFlagBias) ? outputs : 0, sizeof(Scalar), limit, bias_bytes) &&
                           multiply_within((flags & kFlagMask) ? count : 0, 1, limit, mask_bytes) &&
                           weight_bytes + bias_bytes <= limit - mask_bytes;
    if (!sizes_fit) {
      fail(where + " of shape (" + std::to_string(outputs) + ", " + std::to_string(inputs) +
           ") declares more data than the " + std::to_string(limit) + " bytes that remain at offset " +
           std::to_string(in.offset()));
    }
    const auto rows = static_cast<Eigen::Index>(outputs);
    const auto cols = static_cast<Eigen::Index>(inputs);
    Dense<Scalar> layer(cols, rows, activation, (flags & kFlagBias) != 0);

    const std::size_t weights_at = in.offset();
    RowMatrix<Scalar> weights(rows, cols);
    for (Eigen::Index i = 0; i < rows; ++i) {
      for (Eigen::Index j = 0; j < cols; ++j) {
        in.scalar(weights(i, j));
        if (!std::isfinite(weights(i, j))) {
          fail(where + " weight (" + std::to_string(i) + ", " + std::to_string(j) + ") at offset " +
               std::to_string(weights_at + static_cast<std::size_t>(i * cols + j) * sizeof(Scalar)) + " is not finite");
        }
      }
    }
    layer.set_weights(weights);
    if (flags & kFlagBias) {
      const std::size_t bias_at = in.offset();
      Vector<Scalar> bias(rows);
      for (Eigen::Index i = 0; i < rows; ++i) {
        in.scalar(bias(i));
        if (!std::isfinite(bias(i))) {
          fail(where + " bias " + std::to_string(i) + " at offset " +
               std::to_string(bias_at + static_cast<std::size_t>(i) * sizeof(Scalar)) + " is not finite");
        }
      }
      layer.set_bias(bias);
    }
    if (flags & kFlagMask) {
      RowMatrix<Scalar> mask(rows, cols);
      for (Eigen::Index i = 0; i < rows; ++i) {
        for (Eigen::Index j = 0; j < cols; ++j) {
          const std::size_t at = in.offset();
          const std::uint8_t value = in.byte_unchecked();
          if (value > 1) {
            fail(where + " mask entry (" + std::to_string(i) + ", " + std::to_string(j) + ") at offset " +
                 std::to_string(at) + " is " + std::to_string(value) + "; expected 0 or 1");
          }
          mask(i, j) = Scalar(value);
        }
      }
      layer.set_trainable_mask(mask);
    }
    layer.set_frozen((flags & kFlagFrozen) != 0);
    if (flags & kFlagDropout) {
      const std::size_t at = in.offset();
      const double rate = in.f64("dropout rate");
      if (!(rate > 0.0 && rate < 1.0)) {
        fail(where + " dropout rate at offset " + std::to_string(at) + " is " + detail::number_text(rate) +
             "; expected a value in (0, 1)");
      }
      layer.set_dropout(rate);
    }
    layers.push_back(std::move(layer));
    previous_outputs = outputs;
  }
  if (format < 2 && in.remaining() != 0) {
    fail("the body has " + std::to_string(in.remaining()) + " bytes after the last layer at offset " +
         std::to_string(in.offset()) + "; expected none");
  }
  try {
    check_loss_pairing(loss, layers.back().activation(), caller_name());
  } catch (const std::invalid_argument& error) {
    const std::string text = error.what();  // "[caller] loss ... needs ...": keep the part after the name
    fail("the saved loss does not suit the output layer: " + text.substr(text.find("] ") + 2));
  }
  Model<Scalar> model{Network<Scalar>(std::move(layers), loss, rule, learning_rate, seed, init),
                      ModelInfo{seed, init, format}};
  if (format < 2) return model;
  model.network.set_optimizer(decode_optimizer(in, model.network));
  const std::size_t random_at = in.offset();
  in.need(kRandomStateSize, "the random state");
  Random::State state{};
  for (auto& word : state) word = in.u64("random state");
  try {
    model.network.set_random_source(Random::from_state(state));
  } catch (const std::invalid_argument& error) {
    fail("the random state at offset " + std::to_string(random_at) + " is not usable: " + error.what());
  }
  if (in.remaining() != 0) {
    fail("the body has " + std::to_string(in.remaining()) + " bytes after the random state at offset " +
         std::to_string(in.offset()) + "; expected none");
  }
  return model;
}

std::uint64_t read_le(const std::uint8_t* data, int size) {
  std::uint64_t value = 0;
  for (int i = 0; i < size; ++i) value |= static_cast<std::uint64_t>(data[i]) << (8 * i);
  return value;
}

/// Checks the fixed header of a file of `total_size` bytes (only the first
/// kHeaderSize need be at `data`) and returns the body length it declares.
std::uint64_t check_header(const std::uint8_t* data, std::uint64_t total_size) {
  if (total_size < kHeaderSize + kChecksumSize) {
    fail("the file is " + std::to_string(total_size) + " bytes long; an akili model needs at least " +
         std::to_string(kHeaderSize + kChecksumSize));
  }
  if (std::memcmp(data, kMagic.data(), kMagic.size()) != 0) {
    fail("not an akili model file: the first 8 bytes are not the magic \\x89AKILI\\r\\n");
  }
  const auto major = static_cast<std::uint16_t>(read_le(data + 8, 2));
  const auto minor = static_cast<std::uint16_t>(read_le(data + 10, 2));
  if (major < kModelFormatOldestMajor || major > kModelFormatMajor) {
    fail("the file has format version " + std::to_string(major) + "." + std::to_string(minor) +
         (major > kModelFormatMajor ? ", newer than" : ", not") + " the versions " +
         std::to_string(kModelFormatOldestMajor) + ".x to " + std::to_string(kModelFormatMajor) +
         ".x this akili reads" + (major > kModelFormatMajor ? "; upgrade akili to load it" : ""));
  }
  const std::uint64_t body = read_le(data + 12, 8);
  const std::uint64_t expected = total_size - kHeaderSize - kChecksumSize;
  if (body != expected) {
    fail(body > expected ? "the file is truncated: the header declares a " + std::to_string(body) +
                               "-byte body but only " + std::to_string(expected) + " bytes are present"
                         : "the file has " + std::to_string(expected - body) + " trailing bytes after the declared " +
                               std::to_string(body) + "-byte body");
  }
  return body;
}

/// Throws ModelFileError for the current errno; what() reads
/// "<action> '<path>': <errno text>", e.g. "...: No such file or directory".
[[noreturn]] void throw_errno(const char* action, const std::string& path, int error_number = errno) {
  // (const char* action: no allocation, so nothing can change errno before it is read)
  throw ModelFileError(error_number, named(action) + " '" + path + "'", path);
}

/// Owns a POSIX file descriptor; closes it on scope exit.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  /// Closes now and reports the close() result (errors from delayed writes surface here).
  int close() {
    const int result = ::close(fd_);
    fd_ = -1;
    return result;
  }

 private:
  int fd_;
};

void write_all(int fd, const std::uint8_t* data, std::size_t size, const std::string& path) {
  while (size > 0) {
    const ssize_t written = ::write(fd, data, size);
    if (written < 0) {
      if (errno == EINTR) continue;
      throw_errno("cannot write", path);
    }
    data += written;
    size -= static_cast<std::size_t>(written);
  }
}

void read_exact(int fd, std::uint8_t* data, std::size_t size, const std::string& path) {
  while (size > 0) {
    const ssize_t got = ::read(fd, data, size);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw_errno("cannot read", path);
    }
    if (got == 0) fail("'" + path + "' became shorter while it was being read");
    data += got;
    size -= static_cast<std::size_t>(got);
  }
}

std::string directory_of(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

template <typename Scalar>
std::vector<std::uint8_t> to_bytes(const Network<Scalar>& network, const ModelInfo& info) {
  if (info.format < kModelFormatOldestMajor || info.format > kModelFormatMajor) {
    throw std::invalid_argument("[akili::save] expected format version " + std::to_string(kModelFormatOldestMajor) +
                                " or " + std::to_string(kModelFormatMajor) + ", got " + std::to_string(info.format));
  }
  // A private copy (taken under the network's shared lock) so a concurrent
  // training call cannot change the weights half-way through encoding.
  const Network<Scalar> snapshot(network);
  Writer out;
  std::size_t values = 0;
  for (std::size_t k = 0; k < snapshot.layer_count(); ++k) {
    values += static_cast<std::size_t>(snapshot.layer(k).weights().size() + snapshot.layer(k).outputs());
  }
  out.reserve(kHeaderSize + kModelFieldsSize + snapshot.layer_count() * kLayerFieldsSize +
              values * (sizeof(Scalar) + 1) + kChecksumSize);
  for (std::uint8_t byte : kMagic) out.u8(byte);
  out.u16(info.format);
  out.u16(kModelFormatMinor);
  out.u64(0);  // body length, filled in below
  encode_network(out, snapshot, info);
  std::vector<std::uint8_t>& bytes = out.bytes();
  const std::uint64_t body = bytes.size() - kHeaderSize;
  for (int i = 0; i < 8; ++i) bytes[12 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(body >> (8 * i));
  out.u32(detail::crc32(bytes.data(), bytes.size()));
  return std::move(bytes);
}

template <typename Scalar>
std::vector<std::uint8_t> to_bytes(const Network<Scalar>& network) {
  return to_bytes(network, ModelInfo{network.seed(), network.init()});
}

template <typename Scalar>
void save(const Network<Scalar>& network, const std::string& path, const char* caller) {
  save(network, path, ModelInfo{network.seed(), network.init()}, caller);
}

template <typename Scalar>
void save(const Network<Scalar>& network, const std::string& path, const ModelInfo& info, const char* caller) {
  const NamedCall name(caller, "akili::save");
  const std::vector<std::uint8_t> bytes = to_bytes(network, info);

  // A fresh name beside the target (same file system, so rename() is atomic);
  // O_EXCL never reuses an existing file, and 0666 lets the umask decide access.
  std::random_device entropy;
  std::string temporary;
  int fd = -1;
  for (int attempt = 0; attempt < 16 && fd < 0; ++attempt) {
    temporary = path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(entropy());
    fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno != EEXIST) break;
  }
  if (fd < 0) {
    throw_errno("cannot create a temporary file beside", path);
  }
  FileDescriptor file(fd);
  try {
    write_all(file.get(), bytes.data(), bytes.size(), path);
    if (::fsync(file.get()) != 0) {
      throw_errno("cannot flush", path);
    }
    if (file.close() != 0) {
      throw_errno("cannot close", path);
    }
    if (::rename(temporary.c_str(), path.c_str()) != 0) {
      throw_errno("cannot replace", path);
    }
  } catch (...) {
    ::unlink(temporary.c_str());  // the target was never touched
    throw;
  }
  // Make the rename itself durable; the new file is complete either way, so a
  // directory that cannot be synced (some file systems) is not an error.
  const int directory = ::open(directory_of(path).c_str(), O_RDONLY | O_CLOEXEC);
  if (directory >= 0) {
    ::fsync(directory);
    ::close(directory);
  }
}

AnyModel load_from_bytes(const std::uint8_t* data, std::size_t size, const char* caller) {
  const NamedCall name(caller, "akili::load");
  const std::uint64_t body = check_header(data, size);
  const std::uint32_t stored = static_cast<std::uint32_t>(read_le(data + size - kChecksumSize, 4));
  const std::uint32_t computed = detail::crc32(data, size - kChecksumSize);
  if (stored != computed) {
    fail("checksum mismatch: the file records CRC-32 " + std::to_string(stored) + " but its contents give " +
         std::to_string(computed) + " (the file is corrupted)");
  }
  // The body alone: reads past it are caught as truncation even if a forged
  // checksum matched.
  Reader in(data, kHeaderSize, kHeaderSize + static_cast<std::size_t>(body));
  if (body < kModelFieldsSize) {
    fail("the body is " + std::to_string(body) + " bytes; expected at least " + std::to_string(kModelFieldsSize));
  }
  const auto format = static_cast<std::uint16_t>(read_le(data + 8, 2));
  const std::uint8_t dtype = in.u8("dtype");
  if (dtype == kFloat32) return decode_network<float>(in, format);
  if (dtype == kFloat64) return decode_network<double>(in, format);
  fail("unknown dtype code " + std::to_string(dtype) + " at offset " + std::to_string(kHeaderSize) +
       "; expected 1 (float32) or 2 (float64)");
}

AnyModel load(const std::string& path, const char* caller) {
  const NamedCall name(caller, "akili::load");
  FileDescriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (file.get() < 0) {
    throw_errno("cannot open", path);
  }
  struct stat status {};
  if (::fstat(file.get(), &status) != 0) {
    throw_errno("cannot inspect", path);
  }
  if (S_ISDIR(status.st_mode)) throw_errno("cannot load", path, EISDIR);
  if (!S_ISREG(status.st_mode)) fail("'" + path + "' is not a regular file");
  const auto size = static_cast<std::uint64_t>(status.st_size);
  // The header first: a file that is not a model, or whose declared length does
  // not match its size, is refused before the whole of it is read.
  std::array<std::uint8_t, kHeaderSize> header{};
  const std::size_t head = static_cast<std::size_t>(std::min<std::uint64_t>(size, kHeaderSize));
  read_exact(file.get(), header.data(), head, path);
  check_header(header.data(), size);
  if (size > std::numeric_limits<std::size_t>::max()) fail("'" + path + "' is too large for this machine");
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size));
  std::memcpy(bytes.data(), header.data(), kHeaderSize);
  read_exact(file.get(), bytes.data() + kHeaderSize, bytes.size() - kHeaderSize, path);
  return load_from_bytes(bytes.data(), bytes.size(), nullptr);
}

template <typename Scalar>
Model<Scalar> load_as(const std::string& path, const char* caller) {
  const NamedCall name(caller, "akili::load");
  AnyModel model = load(path);
  if (auto* wanted = std::get_if<Model<Scalar>>(&model)) return std::move(*wanted);
  fail("'" + path + "' holds a " + std::string(sizeof(Scalar) == 4 ? "float64" : "float32") + " network; expected " +
       (sizeof(Scalar) == 4 ? "float32" : "float64"));
}

template std::vector<std::uint8_t> to_bytes(const Network<float>&);
template std::vector<std::uint8_t> to_bytes(const Network<double>&);
template void save(const Network<float>&, const std::string&, const char*);
template void save(const Network<double>&, const std::string&, const char*);
template std::vector<std::uint8_t> to_bytes(const Network<float>&, const ModelInfo&);
template std::vector<std::uint8_t> to_bytes(const Network<double>&, const ModelInfo&);
template void save(const Network<float>&, const std::string&, const ModelInfo&, const char*);
template void save(const Network<double>&, const std::string&, const ModelInfo&, const char*);
template Model<float> load_as<float>(const std::string&, const char*);
template Model<double> load_as<double>(const std::string&, const char*);

}  // namespace akili
