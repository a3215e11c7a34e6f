#pragma once
// Typed errors that carry what went wrong as data, so a caller (the Python layer,
// a C++ program) can report it under its own name without reading message text.

#include <cstddef>
#include <stdexcept>
#include <string>
#include <utility>

namespace akili {

/// Thrown when inputs or targets hold a NaN or an infinity; the network is left
/// unchanged. `data()` is "inputs" or "targets"; `row()` the first offending row.
/// what(): "[Network::train_epoch] inputs contain NaN or infinity (row 12)".
class NonFiniteDataError : public std::invalid_argument {
 public:
  NonFiniteDataError(const std::string& where, std::string data, std::size_t row)
      : std::invalid_argument("[" + where + "] " + data + " contain NaN or infinity (row " + std::to_string(row) + ")"),
        data_(std::move(data)),
        row_(row) {}

  const std::string& data() const { return data_; }
  std::size_t row() const { return row_; }

 private:
  std::string data_;
  std::size_t row_;
};

}  // namespace akili
