#pragma once
// How the readers turn a stored number into a network input, applied as each
// value is parsed so that no unscaled copy of the data ever exists.

#include <cstdint>

namespace akili::io {

/// none: the value as it is; book: x / max · 0.99 + 0.01 (Make Your Own Neural
/// Network: pixels 0..255 become 0.01..1.0, never 0); unit: x / max.
enum class InputScaling : std::uint8_t { none, book, unit };

struct ValueScaling {
  InputScaling kind = InputScaling::none;
  double max_value = 255.0;  ///< the stored value that becomes 1.0; > 0

  /// `value` scaled and rounded to T, bit for bit what NumPy computes:
  /// book: ((x / max) * 0.99) + 0.01 in double, then rounded to T (akili.datasets.scale_book);
  /// unit: T(x) / T(max), the division done in T (akili.datasets.fashion_mnist's scale="unit").
  template <typename T>
  T apply(double value) const {
    switch (kind) {
      case InputScaling::book:
        return static_cast<T>(value / max_value * 0.99 + 0.01);
      case InputScaling::unit:
        return static_cast<T>(value) / static_cast<T>(max_value);
      case InputScaling::none:
        break;
    }
    return static_cast<T>(value);
  }
};

}  // namespace akili::io
