// Shapes in error messages, written the way NumPy prints them: "(rows, cols)".
#pragma once

#include <Eigen/Core>

#include <string>

namespace akili::detail {

inline std::string shape_text(Eigen::Index rows, Eigen::Index cols) {
  return "(" + std::to_string(rows) + ", " + std::to_string(cols) + ")";
}

}  // namespace akili::detail
