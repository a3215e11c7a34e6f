// The element-wise loops (the logistic function and Adam's step): the baseline
// loops against plain formulas, and every instruction-set kernel the CPU runs
// against the baseline, bit for bit (cpp/src/element_loops.hpp promises the same
// bits on every path).
#include <doctest/doctest.h>

#include "akili/build_info.hpp"
#include "isa_kernels.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace {

using akili::detail::AdamCoefficients;
using akili::detail::ElementLoops;

// Values a sigmoid meets: ordinary ones, huge ones (the exponential's clamp and
// overflow), both zeros, infinities and NaN; the length leaves a partial last block
// for every register width.
template <typename Scalar>
std::vector<Scalar> sigmoid_inputs() {
  std::mt19937 random(11);
  std::normal_distribution<double> near(0.0, 6.0);
  std::uniform_real_distribution<double> far(-900.0, 900.0);
  std::vector<Scalar> values;
  for (int i = 0; i < 3000; ++i) values.push_back(static_cast<Scalar>(near(random)));
  for (int i = 0; i < 1000; ++i) values.push_back(static_cast<Scalar>(far(random)));
  const Scalar infinity = std::numeric_limits<Scalar>::infinity();
  for (const double edge : {0.0, -0.0, 88.72, -88.72, 88.73, -88.73, 103.9, -103.9, 709.7, -709.7, 745.2, -745.2}) {
    values.push_back(static_cast<Scalar>(edge));
  }
  values.insert(values.end(),
                {infinity, -infinity, std::numeric_limits<Scalar>::quiet_NaN(), std::numeric_limits<Scalar>::max(),
                 std::numeric_limits<Scalar>::lowest(), std::numeric_limits<Scalar>::denorm_min()});
  values.push_back(Scalar(0.25));  // 4,019 values: not a multiple of 2, 4, 8 or 16
  return values;
}

template <typename Scalar>
bool same_bits(const std::vector<Scalar>& a, const std::vector<Scalar>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(Scalar)) == 0;
}

/// The instruction-set tables this CPU runs, by name.
template <typename Scalar>
std::vector<std::pair<std::string, ElementLoops<Scalar>>> isa_tables() {
  std::vector<std::pair<std::string, ElementLoops<Scalar>>> tables;
#if AKILI_TEST_X86_KERNELS
  const auto supported = akili::build_info().supported;
  const auto has = [&](akili::Isa isa) {
    return std::find(supported.begin(), supported.end(), isa) != supported.end();
  };
  if (has(akili::Isa::avx2)) {
    ElementLoops<Scalar> loops{};
    akili::detail::isa_avx2::element_loops(loops);
    tables.emplace_back("avx2", loops);
  }
  if (has(akili::Isa::avx512)) {
    ElementLoops<Scalar> loops{};
    akili::detail::isa_avx512::element_loops(loops);
    tables.emplace_back("avx512", loops);
  }
#endif
  return tables;
}

template <typename Scalar>
void check_sigmoid() {
  const std::vector<Scalar> z = sigmoid_inputs<Scalar>();
  std::vector<Scalar> baseline(z.size());
  akili::detail::baseline_sigmoid(z.data(), baseline.data(), static_cast<std::ptrdiff_t>(z.size()));
  // The baseline against the formula: a few ulps (Eigen's exponential), exact at the ends.
  for (std::size_t i = 0; i < z.size(); ++i) {
    CAPTURE(z[i]);
    if (std::isnan(z[i])) {
      CHECK(std::isnan(baseline[i]));
      continue;
    }
    const Scalar expected = Scalar(1) / (Scalar(1) + std::exp(-z[i]));  // 1 / (1 + e^-z)
    CHECK(std::abs(baseline[i] - expected) <= 8 * std::numeric_limits<Scalar>::epsilon());
    CHECK(baseline[i] >= Scalar(0));
    CHECK(baseline[i] <= Scalar(1));
  }
  for (const auto& table : isa_tables<Scalar>()) {
    const std::string& name = table.first;
    const ElementLoops<Scalar>& loops = table.second;
    CAPTURE(name);
    // Every length up to two blocks of the widest register, then the whole set:
    // the partial block's padding changes nothing.
    for (std::size_t n = 1; n <= 40; ++n) {
      std::vector<Scalar> wide(n), narrow(n);
      loops.sigmoid(z.data() + 7, wide.data(), static_cast<std::ptrdiff_t>(n));
      akili::detail::baseline_sigmoid(z.data() + 7, narrow.data(), static_cast<std::ptrdiff_t>(n));
      CHECK(same_bits(wide, narrow));
    }
    std::vector<Scalar> wide(z.size());
    loops.sigmoid(z.data(), wide.data(), static_cast<std::ptrdiff_t>(z.size()));
    CHECK(same_bits(wide, baseline));
  }
}

/// Twenty Adam steps on 1,003 parameters (a partial last block) with gradients
/// of every size, through `adam`; returns θ, m and v one after another.
template <typename Scalar>
std::vector<Scalar> adam_run(typename ElementLoops<Scalar>::Adam adam) {
  const std::size_t n = 1003;
  std::mt19937 random(5);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<Scalar> theta(n), m(n, Scalar(0)), v(n, Scalar(0)), g(n);
  for (auto& value : theta) value = static_cast<Scalar>(normal(random));
  for (int t = 1; t <= 20; ++t) {
    for (std::size_t i = 0; i < n; ++i) g[i] = static_cast<Scalar>(normal(random) * std::pow(10.0, (i % 13) - 6.0));
    const double lr = 1e-3, beta1 = 0.9, beta2 = 0.999;
    const AdamCoefficients<Scalar> c{Scalar(beta1),
                                     Scalar(1) - Scalar(beta1),
                                     Scalar(beta2),
                                     Scalar(1) - Scalar(beta2),
                                     static_cast<Scalar>(lr / (1.0 - std::pow(beta1, t))),
                                     static_cast<Scalar>(std::sqrt(1.0 - std::pow(beta2, t))),
                                     Scalar(1e-8)};
    adam(c, theta.data(), m.data(), v.data(), g.data(), static_cast<std::ptrdiff_t>(n));
  }
  std::vector<Scalar> all = theta;
  all.insert(all.end(), m.begin(), m.end());
  all.insert(all.end(), v.begin(), v.end());
  return all;
}

template <typename Scalar>
void check_adam() {
  const std::vector<Scalar> baseline = adam_run<Scalar>(&akili::detail::baseline_adam<Scalar>);
  for (const auto& table : isa_tables<Scalar>()) {
    const std::string& name = table.first;
    const ElementLoops<Scalar>& loops = table.second;
    CAPTURE(name);
    CHECK(same_bits(adam_run<Scalar>(loops.adam), baseline));
  }
}

}  // namespace

TEST_CASE("the baseline sigmoid follows 1/(1+e^-z), and every instruction set gives its bits") {
  check_sigmoid<float>();
  check_sigmoid<double>();
}

TEST_CASE("Adam's step gives the same bits on every instruction set") {
  check_adam<float>();
  check_adam<double>();
}

TEST_CASE("the element-wise loops in use are those of the active instruction set") {
  const auto& active = akili::detail::active_element_loops<double>();
  std::vector<double> z = {-3.0, 0.0, 2.5}, a(3);
  active.sigmoid(z.data(), a.data(), 3);
  std::vector<double> expected(3);
  akili::detail::baseline_sigmoid(z.data(), expected.data(), 3);
  CHECK(same_bits(a, expected));
  const bool baseline_loops = active.sigmoid == &akili::detail::baseline_sigmoid<double>;
  CHECK(baseline_loops == (akili::active_isa() == akili::Isa::baseline));
}
