// akili from C++: build a network, train it, report accuracy, save and load it.
//
//   akili_example xor [--save FILE]
//       trains a 2-4-1 network on XOR and prints its four outputs
//   akili_example mnist DIR [--epochs N] [--train-limit N] [--test-limit N] [--save FILE]
//       the book's 784-200-10 sigmoid network on the IDX files in DIR
//       (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-*; raw, or .gz with zlib)
//   akili_example evaluate MODEL DIR [--test-limit N]
//       loads a saved model (float32 or float64) and prints its test accuracy
#include "idx.hpp"

#include <akili/akili.hpp>
#include <akili/model_file.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <map>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace {

using Matrix = akili::RowMatrix<double>;

/// "--name value" options after the positional arguments.
std::map<std::string, std::string> parse_options(int argc, char** argv, int first) {
  std::map<std::string, std::string> options;
  for (int i = first; i < argc; i += 2) {
    const std::string name = argv[i];
    if (name.rfind("--", 0) != 0 || i + 1 >= argc) throw std::invalid_argument("expected --option value, got " + name);
    options[name.substr(2)] = argv[i + 1];
  }
  return options;
}

std::size_t option_size(const std::map<std::string, std::string>& options, const std::string& name,
                        std::size_t fallback) {
  const auto found = options.find(name);
  return found == options.end() ? fallback : static_cast<std::size_t>(std::stoull(found->second));
}

/// Share of rows whose largest output is the labelled class.
template <typename Scalar>
double accuracy(const akili::RowMatrix<Scalar>& outputs, const std::vector<int>& labels) {
  std::size_t correct = 0;
  for (Eigen::Index i = 0; i < outputs.rows(); ++i) {
    Eigen::Index predicted = 0;
    outputs.row(i).maxCoeff(&predicted);
    correct += predicted == labels[static_cast<std::size_t>(i)];
  }
  return static_cast<double>(correct) / static_cast<double>(outputs.rows());
}

int run_xor(const std::map<std::string, std::string>& options) {
  Matrix x(4, 2), t(4, 1);
  x << 0, 0, 0, 1, 1, 0, 1, 1;
  t << 0, 1, 1, 0;
  std::vector<akili::Dense<double>> layers;
  layers.emplace_back(2, 4, akili::Activation::tanh, /*bias=*/true);
  layers.emplace_back(4, 1, akili::Activation::sigmoid, /*bias=*/true);
  akili::Network<double> network(std::move(layers), akili::Loss::cross_entropy, akili::Rule::gradient, 0.5, 3);
  network.initialize(akili::Init::xavier, 3);
  for (int epoch = 0; epoch < 2000; ++epoch) network.train_epoch(x, t, /*batch_size=*/1, /*shuffle=*/true);

  const Matrix out = network.predict(x);
  std::size_t correct = 0;
  for (Eigen::Index i = 0; i < 4; ++i) {
    std::printf("%g XOR %g -> %.4f\n", x(i, 0), x(i, 1), out(i, 0));
    correct += (out(i, 0) >= 0.5) == (t(i, 0) >= 0.5);
  }
  std::printf("xor accuracy: %.4f\n", static_cast<double>(correct) / 4.0);
  if (options.count("save")) {
    akili::save(network, options.at("save"), akili::ModelInfo{3, akili::Init::xavier});
    std::printf("saved %s\n", options.at("save").c_str());
  }
  return correct == 4 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/// Images scaled the book's way, x/255·0.99 + 0.01, one row per image, and their labels.
struct Digits {
  Matrix images;
  std::vector<int> labels;
};

Digits load_digits(const std::string& directory, const std::string& prefix, std::size_t limit) {
  const akili::io::IdxArray images = example::read_idx(example::find_idx(directory, prefix + "-images-idx3-ubyte"));
  const akili::io::IdxArray labels = example::read_idx(example::find_idx(directory, prefix + "-labels-idx1-ubyte"));
  const std::vector<std::uint32_t>& image_dims = images.header.dims;
  if (images.header.type_code != 0x08 || labels.header.type_code != 0x08 || image_dims.size() != 3 ||
      labels.header.dims.size() != 1 || image_dims[0] != labels.header.dims[0]) {
    throw std::runtime_error("the " + prefix + " images and labels in " + directory +
                             " are not matching IDX files of unsigned bytes");
  }
  const std::size_t n = std::min<std::size_t>(image_dims[0], limit);
  const std::size_t pixels = std::size_t(image_dims[1]) * image_dims[2];
  Digits digits{Matrix(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(pixels)), {}};
  // The core's IDX decoder applies the book's scaling, x/255·0.99 + 0.01, as it converts.
  akili::io::ValueScaling book;
  book.kind = akili::io::InputScaling::book;
  akili::io::decode_idx_values<double>(images.header.type_code, images.payload.data(), n * pixels, digits.images.data(),
                                       book);
  digits.labels.assign(labels.payload.begin(), labels.payload.begin() + static_cast<std::ptrdiff_t>(n));
  return digits;
}

int run_mnist(const std::string& directory, const std::map<std::string, std::string>& options) {
  const Digits train = load_digits(directory, "train", option_size(options, "train-limit", 60000));
  const Digits test = load_digits(directory, "t10k", option_size(options, "test-limit", 10000));
  // Targets 0.01 everywhere and 0.99 at the label: sigmoid outputs never reach 0 or 1.
  Matrix targets = Matrix::Constant(train.images.rows(), 10, 0.01);
  for (std::size_t i = 0; i < train.labels.size(); ++i) targets(static_cast<Eigen::Index>(i), train.labels[i]) = 0.99;

  std::vector<akili::Dense<double>> layers;
  layers.emplace_back(train.images.cols(), 200, akili::Activation::sigmoid);
  layers.emplace_back(200, 10, akili::Activation::sigmoid);
  akili::Network<double> network(std::move(layers), akili::Loss::squared_error, akili::Rule::transpose, 0.1, 1);
  network.initialize(akili::Init::book, 1);  // W ~ N(0, n_in^-½)

  const std::size_t epochs = option_size(options, "epochs", 1);
  for (std::size_t epoch = 0; epoch < epochs; ++epoch) {
    const akili::EpochResult result = network.train_epoch(train.images, targets, 1, true);
    std::printf("epoch %zu: loss %.5f, training accuracy %.4f\n", epoch + 1,
                result.loss_sum / static_cast<double>(result.samples),
                static_cast<double>(result.correct) / static_cast<double>(result.samples));
  }
  std::printf("test accuracy: %.4f on %td images\n", accuracy(network.predict(test.images), test.labels),
              static_cast<std::ptrdiff_t>(test.images.rows()));
  if (options.count("save")) {
    akili::save(network, options.at("save"), akili::ModelInfo{1, akili::Init::book});
    std::printf("saved %s\n", options.at("save").c_str());
  }
  return EXIT_SUCCESS;
}

int run_evaluate(const std::string& model_path, const std::string& directory,
                 const std::map<std::string, std::string>& options) {
  const Digits test = load_digits(directory, "t10k", option_size(options, "test-limit", 10000));
  const akili::AnyModel model = akili::load(model_path);
  // The file decides the precision; each branch runs the network in its own.
  const double score = std::visit(
      [&](const auto& loaded) {
        using Scalar = typename std::decay_t<decltype(loaded.network)>::Matrix::Scalar;
        return accuracy(loaded.network.predict(test.images.cast<Scalar>()), test.labels);
      },
      model);
  std::printf("test accuracy: %.4f on %td images\n", score, static_cast<std::ptrdiff_t>(test.images.rows()));
  return EXIT_SUCCESS;
}

void usage() {
  std::fprintf(stderr,
               "usage: akili_example xor [--save FILE]\n"
               "       akili_example mnist DIR [--epochs N] [--train-limit N] [--test-limit N] [--save FILE]\n"
               "       akili_example evaluate MODEL DIR [--test-limit N]\n");
}

}  // namespace

int main(int argc, char** argv) {
  const std::string command = argc > 1 ? argv[1] : "";
  try {
    if (command == "xor") return run_xor(parse_options(argc, argv, 2));
    if (command == "mnist" && argc > 2) return run_mnist(argv[2], parse_options(argc, argv, 3));
    if (command == "evaluate" && argc > 3) return run_evaluate(argv[2], argv[3], parse_options(argc, argv, 4));
  } catch (const std::exception& error) {
    std::fprintf(stderr, "akili_example: %s\n", error.what());
    return EXIT_FAILURE;
  }
  usage();
  return 2;
}
