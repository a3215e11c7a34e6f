#pragma once
// The one rule for "which class does a row of outputs predict", used by training's
// accuracy count, by the Python layer (akili._core.predicted_classes: History's
// accuracy, Network.evaluate, the command line's evaluate and predict) and by C++ programs.

#include <Eigen/Core>

namespace akili {

/// The class one row of `count` outputs predicts: with one output, 1 when o >= ½
/// and 0 otherwise (two classes on either side of ½); with several, the index of
/// the largest output, the first one on a tie (as NumPy's argmax). A NaN never wins.
template <typename Scalar>
Eigen::Index predicted_class(const Scalar* outputs, Eigen::Index count) {
  if (count == 1) return outputs[0] >= Scalar(0.5) ? 1 : 0;
  Eigen::Index best = 0;
  for (Eigen::Index k = 1; k < count; ++k) {
    if (outputs[k] > outputs[best]) best = k;
  }
  return best;
}

}  // namespace akili
