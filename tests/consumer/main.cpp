// A downstream program: trains and saves a model, or loads one and writes its
// predictions, so the test suite can compare C++ and Python bit for bit.
//
//   consumer train-xor MODEL float32|float64   train XOR, save MODEL
//   consumer predict MODEL INPUTS OUTPUTS      INPUTS: raw little-endian values of the
//                                              model's dtype, row-major (n, inputs);
//                                              OUTPUTS: the same for (n, outputs)
//   consumer describe MODEL                    one line per layer
//   consumer resave MODEL COPY                 load MODEL and save it again as COPY
//   consumer seeded MODEL                      build 2-3-1 layers with seed 11, no
//                                              initialize() call, and save MODEL
#include <akili/akili.hpp>
#include <akili/model_file.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace {

template <typename Scalar>
int train_xor(const std::string& path) {
  akili::RowMatrix<Scalar> x(4, 2), t(4, 1);
  x << 0, 0, 0, 1, 1, 0, 1, 1;
  t << 0, 1, 1, 0;
  std::vector<akili::Dense<Scalar>> layers;
  layers.emplace_back(2, 3, akili::Activation::tanh, true);
  layers.emplace_back(3, 1, akili::Activation::sigmoid, true);
  akili::Network<Scalar> network(std::move(layers), akili::Loss::cross_entropy, akili::Rule::gradient,
                                 Scalar(0.5), 11);
  network.initialize(akili::Init::xavier, 11);
  for (int epoch = 0; epoch < 500; ++epoch) network.train_epoch(x, t, 1, true);
  akili::save(network, path, akili::ModelInfo{11, akili::Init::xavier});
  return EXIT_SUCCESS;
}

// The constructor draws the weights (the book's init) from its seed, and save()
// records that seed: no initialize() call, no ModelInfo.
int save_seeded(const std::string& path) {
  std::vector<akili::Dense<double>> layers;
  layers.emplace_back(2, 3, akili::Activation::tanh, true);
  layers.emplace_back(3, 1, akili::Activation::sigmoid, true);
  const akili::Network<double> network(std::move(layers), akili::Loss::cross_entropy, akili::Rule::gradient, 0.5,
                                       11);
  akili::save(network, path);
  return EXIT_SUCCESS;
}

template <typename Scalar>
int predict(const akili::Network<Scalar>& network, const std::string& inputs_path, const std::string& outputs_path) {
  std::ifstream in(inputs_path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + inputs_path);
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::size_t row_bytes = static_cast<std::size_t>(network.inputs()) * sizeof(Scalar);
  if (bytes.size() % row_bytes != 0) {
    throw std::runtime_error(inputs_path + " holds " + std::to_string(bytes.size()) +
                             " bytes, not a whole number of rows of " + std::to_string(row_bytes));
  }
  akili::RowMatrix<Scalar> x(static_cast<Eigen::Index>(bytes.size() / row_bytes), network.inputs());
  std::copy(bytes.begin(), bytes.end(), reinterpret_cast<char*>(x.data()));  // the host is little-endian (x86-64, arm64)
  const akili::RowMatrix<Scalar> y = network.predict(x);
  std::ofstream out(outputs_path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(y.data()), static_cast<std::streamsize>(y.size() * sizeof(Scalar)));
  if (!out) throw std::runtime_error("cannot write " + outputs_path);
  return EXIT_SUCCESS;
}

int describe(const akili::AnyModel& model) {
  std::visit(
      [](const auto& loaded) {
        const auto& network = loaded.network;
        std::printf("dtype %s loss %s rule %s learning_rate %.17g seed %llu\n",
                    sizeof(network.learning_rate()) == 4 ? "float32" : "float64",
                    akili::to_string(network.loss()).c_str(), akili::to_string(network.rule()).c_str(),
                    static_cast<double>(network.learning_rate()),
                    static_cast<unsigned long long>(loaded.info.seed));
        for (std::size_t k = 0; k < network.layer_count(); ++k) {
          const auto& layer = network.layer(k);
          std::printf("layer %zu: %td -> %td %s bias=%d frozen=%d mask=%d\n", k,
                      static_cast<std::ptrdiff_t>(layer.inputs()), static_cast<std::ptrdiff_t>(layer.outputs()),
                      akili::to_string(layer.activation()).c_str(), layer.has_bias(), layer.frozen(),
                      layer.trainable_mask().size() != 0);
        }
      },
      model);
  return EXIT_SUCCESS;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string command = argc > 1 ? argv[1] : "";
  try {
    if (command == "train-xor" && argc == 4) {
      const std::string dtype = argv[3];
      if (dtype == "float32") return train_xor<float>(argv[2]);
      if (dtype == "float64") return train_xor<double>(argv[2]);
    }
    if (command == "predict" && argc == 5) {
      const akili::AnyModel model = akili::load(argv[2]);
      return std::visit([&](const auto& loaded) { return predict(loaded.network, argv[3], argv[4]); }, model);
    }
    if (command == "seeded" && argc == 3) return save_seeded(argv[2]);
    if (command == "describe" && argc == 3) return describe(akili::load(argv[2]));
    if (command == "resave" && argc == 4) {
      const akili::AnyModel model = akili::load(argv[2]);
      std::visit([&](const auto& loaded) { akili::save(loaded.network, argv[3], loaded.info); }, model);
      return EXIT_SUCCESS;
    }
  } catch (const akili::ModelFormatError& error) {
    std::fprintf(stderr, "consumer: bad model file: %s\n", error.what());
    return 3;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "consumer: %s\n", error.what());
    return 1;
  }
  std::fprintf(stderr,
               "usage: consumer train-xor MODEL float32|float64 | predict MODEL IN OUT | describe MODEL"
               " | resave MODEL COPY | seeded MODEL\n");
  return 2;
}
