// Numbers in error messages, written the way printf's %g writes them: six
// significant digits, an exponent when the value is tiny or huge. A learning rate
// of -1e-9 reads "-1e-09", never std::to_string's fixed-point "-0.000000".
#pragma once

#include <cstdio>
#include <string>

namespace akili::detail {

inline std::string number_text(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

}  // namespace akili::detail
