// Table-driven CRC-32 (one table lookup per byte).
#include "crc32.hpp"

#include <array>

namespace akili::detail {
namespace {

constexpr std::uint32_t kPolynomial = 0xEDB88320u;  // x^32 + x^26 + ... + 1, bit-reversed

// table[b] = the CRC register after shifting byte b through it 8 times:
// each step r = (r >> 1) ^ (r & 1 ? polynomial : 0).
constexpr std::array<std::uint32_t, 256> make_table() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t byte = 0; byte < 256; ++byte) {
    std::uint32_t r = byte;
    for (int bit = 0; bit < 8; ++bit) r = (r >> 1) ^ ((r & 1u) ? kPolynomial : 0u);
    table[byte] = r;
  }
  return table;
}

constexpr std::array<std::uint32_t, 256> kTable = make_table();

}  // namespace

std::uint32_t crc32(const std::uint8_t* data, std::size_t size) {
  std::uint32_t r = 0xFFFFFFFFu;
  // r = table[(r ^ byte) & 0xFF] ^ (r >> 8) for each byte, then the final XOR.
  for (std::size_t i = 0; i < size; ++i) r = kTable[(r ^ data[i]) & 0xFFu] ^ (r >> 8);
  return r ^ 0xFFFFFFFFu;
}

}  // namespace akili::detail
