// Portable seeded random numbers (see random.hpp for why not <random>'s distributions).
#include "akili/random.hpp"

#include <cmath>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace akili {
namespace {

std::uint64_t splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

Random::Random(std::uint64_t seed) {
  // splitmix64 expands one seed into the four words xoshiro needs (never all zero).
  for (auto& word : state_) word = splitmix64(seed);
}

std::uint64_t Random::next_u64() {
  // xoshiro256** (Blackman & Vigna, 2018).
  const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
  const std::uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = rotl(state_[3], 45);
  return result;
}

double Random::uniform() {
  // u = k / 2^53 with k the top 53 bits: every double in [0, 1) on that grid.
  return static_cast<double>(next_u64() >> 11) * 0x1.0p-53;
}

std::uint64_t Random::below(std::uint64_t bound) {
  // No integer lies in [0, 0): a division by zero below would end the process.
  if (bound == 0) throw std::invalid_argument("[akili::Random::below] expected a bound of at least 1, got 0");
  // Rejection sampling: drop the top partial block of 2^64 so every residue is equally likely.
  const std::uint64_t limit = (~std::uint64_t{0}) - ((~std::uint64_t{0}) % bound + 1) % bound;
  std::uint64_t draw = next_u64();
  while (draw > limit) draw = next_u64();
  return draw % bound;
}

double Random::normal() {
  if (has_spare_normal_) {
    has_spare_normal_ = false;
    return spare_normal_;
  }
  // Box-Muller: r = sqrt(-2 ln u1), θ = 2π u2 gives two independent N(0, 1) draws r cos θ, r sin θ.
  double u1 = uniform();
  while (u1 <= 0.0) u1 = uniform();
  const double u2 = uniform();
  const double radius = std::sqrt(-2.0 * std::log(u1));
  const double angle = 6.283185307179586476925286766559 * u2;
  spare_normal_ = radius * std::sin(angle);
  has_spare_normal_ = true;
  return radius * std::cos(angle);
}

void Random::shuffle(std::vector<std::size_t>& order) {
  // Fisher-Yates: position i takes a uniformly chosen element of order[0..i].
  for (std::size_t i = order.size(); i > 1; --i) {
    const std::size_t j = static_cast<std::size_t>(below(i));
    std::swap(order[i - 1], order[j]);
  }
}

Random::State Random::state() const {
  std::uint64_t spare_bits = 0;
  std::memcpy(&spare_bits, &spare_normal_, sizeof spare_bits);
  return {state_[0], state_[1], state_[2], state_[3], has_spare_normal_ ? 1u : 0u, spare_bits};
}

Random Random::from_state(const State& state) {
  double spare = 0.0;
  std::memcpy(&spare, &state[5], sizeof spare);
  if ((state[0] | state[1] | state[2] | state[3]) == 0 || state[4] > 1 || !std::isfinite(spare)) {
    throw std::invalid_argument(
        "[Random::from_state] not a generator state: all-zero words, a flag other than "
        "0 or 1, or a non-finite cached draw");
  }
  Random random;
  for (int k = 0; k < 4; ++k) random.state_[k] = state[k];
  random.has_spare_normal_ = state[4] == 1;
  random.spare_normal_ = spare;
  return random;
}

}  // namespace akili
