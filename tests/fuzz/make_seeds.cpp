// Writes a small seed corpus for fuzz_model_loader: well-formed model files of
// both dtypes covering every flag (bias, frozen, trainable mask), every loss,
// several activations, optimizer sections with state (Adam, centered RMSprop with
// momentum) and a version-1 file, so mutations start from files that reach every
// part of the decoder.
//   make_seeds <directory>
#include "akili/model_file.hpp"

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace {

template <typename Scalar>
akili::Network<Scalar> network(int variant) {
  using akili::Activation;
  std::vector<akili::Dense<Scalar>> layers;
  switch (variant) {
    case 0:  // the book's 2-3-2 sigmoid net, no bias
      layers.emplace_back(2, 3, Activation::sigmoid, false);
      layers.emplace_back(3, 2, Activation::sigmoid, false);
      return akili::Network<Scalar>(std::move(layers), akili::Loss::squared_error, akili::Rule::transpose, Scalar(0.3),
                                    1);
    case 1:  // tanh with bias into softmax, cross-entropy
      layers.emplace_back(3, 4, Activation::tanh, true);
      layers.emplace_back(4, 3, Activation::softmax, false);
      return akili::Network<Scalar>(std::move(layers), akili::Loss::cross_entropy, akili::Rule::gradient, Scalar(0.05),
                                    2);
    default:  // one relu layer into identity, mse, normalized rule
      layers.emplace_back(2, 2, Activation::relu, true);
      layers.emplace_back(2, 1, Activation::identity, true);
      return akili::Network<Scalar>(std::move(layers), akili::Loss::mse, akili::Rule::normalized, Scalar(0.01), 3);
  }
}

template <typename Scalar>
void write_seeds(const std::string& directory, const char* dtype) {
  for (int variant = 0; variant < 3; ++variant) {
    akili::Network<Scalar> net = network<Scalar>(variant);
    net.initialize(akili::Init::xavier, static_cast<std::uint64_t>(variant + 7));
    if (variant == 1) {
      akili::RowMatrix<Scalar> mask = akili::RowMatrix<Scalar>::Ones(4, 3);
      mask(1, 2) = 0;  // Grokking ch. 5: one frozen weight
      net.set_trainable_mask(0, mask);
      net.set_frozen(1, true);
    }
    if (variant > 0) {
      // An optimizer with state: a few steps fill its moments (version 2's optimizer section).
      auto settings =
          akili::OptimizerSettings::defaults(variant == 1 ? akili::OptimizerKind::adam : akili::OptimizerKind::rmsprop);
      settings.centered = variant == 2;
      settings.momentum = variant == 2 ? 0.5 : 0.0;
      net.set_optimizer(settings);
      const akili::RowMatrix<Scalar> inputs = akili::RowMatrix<Scalar>::Constant(2, net.inputs(), Scalar(0.5));
      const akili::RowMatrix<Scalar> targets = akili::RowMatrix<Scalar>::Constant(2, net.outputs(), Scalar(0.25));
      for (int step = 0; step < 3; ++step) net.train_step(inputs, targets);
    }
    for (const std::uint16_t format : {akili::kModelFormatMajor, akili::kModelFormatOldestMajor}) {
      if (format != akili::kModelFormatMajor && variant != 0) continue;  // one version-1 seed per dtype
      const std::vector<std::uint8_t> bytes = akili::to_bytes(net, akili::ModelInfo{42, akili::Init::xavier, format});
      const std::string path =
          directory + "/seed-" + dtype + "-" + std::to_string(variant) + "-v" + std::to_string(format) + ".akili";
      std::ofstream(path, std::ios::binary)
          .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_seeds <directory>\n");
    return 2;
  }
  write_seeds<float>(argv[1], "float32");
  write_seeds<double>(argv[1], "float64");
  return 0;
}
