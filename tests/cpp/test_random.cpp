// The seeded random source: reproducible, in range, unbiased shuffles.
#include <doctest/doctest.h>

#include "akili/random.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

TEST_CASE("the same seed gives the same stream, another seed another") {
  akili::Random a(42), b(42), c(43);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const std::uint64_t value = a.next_u64();
    CHECK(value == b.next_u64());
    differs = differs || value != c.next_u64();
  }
  CHECK(differs);
}

TEST_CASE("uniform, below and normal stay in range with the right moments") {
  akili::Random random(7);
  double sum = 0.0, sum_squares = 0.0;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    const double u = random.uniform();
    CHECK((u >= 0.0 && u < 1.0));
    CHECK(random.below(10) < 10u);
    const double z = random.normal();
    sum += z;
    sum_squares += z * z;
  }
  // Mean 0 and variance 1 within a few standard errors (1/√n ≈ 0.007).
  CHECK(std::abs(sum / n) < 0.05);
  CHECK(std::abs(sum_squares / n - 1.0) < 0.05);
}

TEST_CASE("shuffle is a permutation") {
  akili::Random random(1);
  std::vector<std::size_t> order(50);
  std::iota(order.begin(), order.end(), 0);
  random.shuffle(order);
  std::vector<std::size_t> sorted = order;
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t i = 0; i < sorted.size(); ++i) CHECK(sorted[i] == i);
  CHECK_FALSE(std::is_sorted(order.begin(), order.end()));
}

TEST_CASE("below(0) is refused, not a division by zero") {
  akili::Random random(3);
  CHECK_THROWS_AS(random.below(0), std::invalid_argument);
  CHECK(random.below(1) == 0u);
}
