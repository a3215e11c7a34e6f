#pragma once
// CRC-32 as used by zlib, PNG and Ethernet (IEEE 802.3, reflected polynomial
// 0xEDB88320, initial value and final XOR 0xFFFFFFFF), so a file's checksum can
// be verified with any standard tool, e.g. Python's zlib.crc32.

#include <cstddef>
#include <cstdint>

namespace akili::detail {

/// CRC-32 of `size` bytes at `data`; crc32("123456789") == 0xCBF43926.
std::uint32_t crc32(const std::uint8_t* data, std::size_t size);

}  // namespace akili::detail
