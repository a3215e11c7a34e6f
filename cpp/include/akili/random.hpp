#pragma once
// A small seeded random source whose output is fully specified here (the
// standard library's distributions differ between implementations), so a seed
// gives the same shuffles with every compiler and the same weights wherever the
// C library's log, sin and cos give the same results (glibc uses one build of
// them on every CPU with FMA and another without: docs/cpp.md).

#include <array>
#include <cstdint>
#include <vector>

namespace akili {

/// splitmix64-seeded xoshiro256** generator with portable uniform and normal draws.
class Random {
 public:
  explicit Random(std::uint64_t seed = 0);

  /// Next raw 64-bit value.
  std::uint64_t next_u64();
  /// Uniform double in [0, 1) with 53 random bits.
  double uniform();
  /// Uniform integer in [0, bound) without modulo bias; throws std::invalid_argument
  /// when bound is 0.
  std::uint64_t below(std::uint64_t bound);
  /// Standard normal draw (Box-Muller, one value per call, the pair's twin cached).
  double normal();
  /// Fisher-Yates shuffle of `order` in place.
  void shuffle(std::vector<std::size_t>& order);

  /// The whole state as six words (the four of xoshiro, whether a normal draw
  /// is cached, that draw's bits), so a copy of a network in another process
  /// (pickle) continues the same sequence of shuffles.
  using State = std::array<std::uint64_t, 6>;
  State state() const;
  /// The source a `state()` describes; throws std::invalid_argument for a state
  /// no generator has (all four words zero, a flag other than 0 or 1, a
  /// non-finite cached draw).
  static Random from_state(const State& state);

 private:
  std::uint64_t state_[4];
  bool has_spare_normal_ = false;
  double spare_normal_ = 0.0;
};

}  // namespace akili
