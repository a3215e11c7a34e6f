#pragma once
// A fully-connected layer as the book draws it: weights W of shape
// (outputs, inputs), so the combined input is X = W·I, then O = f(X).

#include "akili/optimizer.hpp"
#include "akili/random.hpp"
#include "akili/types.hpp"

namespace akili {

/// One dense layer: weights, optional bias, activation and what may train.
template <typename Scalar>
class Dense {
 public:
  using Matrix = RowMatrix<Scalar>;
  using Vec = Vector<Scalar>;

  /// A layer from `inputs` to `outputs` nodes; weights start at zero until
  /// initialize() or set_weights() (a Network initialises layers that have neither).
  /// Throws std::invalid_argument when a size is not positive, or when the
  /// environment variable AKILI_ISA asks for product kernels this CPU lacks
  /// (see akili/build_info.hpp).
  Dense(Eigen::Index inputs, Eigen::Index outputs, Activation activation = Activation::sigmoid, bool bias = false);

  Eigen::Index inputs() const { return weights_.cols(); }
  Eigen::Index outputs() const { return weights_.rows(); }
  Activation activation() const { return activation_; }
  bool has_bias() const { return has_bias_; }
  /// Weights W, shape (outputs, inputs): W(i, j) links input j to node i.
  const Matrix& weights() const { return weights_; }
  /// Bias b, shape (outputs); all zero and never trained when has_bias() is false.
  const Vec& bias() const { return bias_; }
  /// A frozen layer still passes errors back but its weights and bias never change.
  bool frozen() const { return frozen_; }
  void set_frozen(bool frozen) { frozen_ = frozen; }
  /// Inverted dropout on this layer's outputs while training (Network's reference
  /// path): each output is kept with probability 1 - p and scaled by 1/(1 - p),
  /// else set to 0, so its expected value is unchanged; prediction never drops.
  /// p = 0 (the default) is no dropout.
  double dropout() const { return dropout_; }
  /// Throws std::invalid_argument (naming `where`) unless 0 <= rate < 1.
  void set_dropout(double rate, const char* where = "Dense::set_dropout");
  /// Trainable mask, shape (outputs, inputs) with 1 = trains, 0 = frozen weight
  /// (Grokking ch. 5); empty when every weight trains.
  const Matrix& trainable_mask() const { return mask_; }

  /// Whether W has been given values, by initialize() or set_weights(); false for
  /// a freshly constructed layer, whose weights are all zero.
  bool has_weights() const { return has_weights_; }
  /// Replaces W; throws std::invalid_argument on a wrong shape or a non-finite value.
  void set_weights(const Eigen::Ref<const Matrix>& weights);
  /// Replaces b (shape (outputs)); throws if the layer has no bias, on a wrong size or non-finite value.
  void set_bias(const Eigen::Ref<const Vec>& bias);
  /// Sets the mask (shape (outputs, inputs), every entry 0 or 1); an empty matrix clears it.
  void set_trainable_mask(const Eigen::Ref<const Matrix>& mask);

  /// Draws W from a zero-mean normal with standard deviation
  ///   book: n_in^-½ (the book's rule)   xavier: √(2 / (n_in + n_out))   he: √(2 / n_in)
  /// and sets the bias to zero.
  void initialize(Init init, Random& random);

  /// O = f(I·Wᵀ + 1·bᵀ): input I (n, inputs), output O (n, outputs).
  void forward(const Eigen::Ref<const Matrix>& input, Eigen::Ref<Matrix> output) const;

  /// The combined input alone, X = I·Wᵀ + 1·bᵀ (no activation): input I (n, inputs),
  /// output X (n, outputs).
  void combine(const Eigen::Ref<const Matrix>& input, Eigen::Ref<Matrix> output) const;

  /// The same on the calling thread only (a caller that already splits the work).
  /// With `check_input`, returns false (output unspecified) when a row of input
  /// holds NaN or infinity, without a separate pass over the input: such a row
  /// makes every entry of its row of X non-finite (a NaN or infinite term stays
  /// so in the sum; inf·0 and inf − inf are NaN), so only rows whose X is not
  /// finite are read again (finite inputs can still overflow X).
  bool forward_serial(const Eigen::Ref<const Matrix>& input, Eigen::Ref<Matrix> output, bool check_input = false) const;

  /// W += step · (Dᵀ·I ∘ mask), b += step · Σ_rows D: delta D (n, outputs), input I (n, inputs).
  /// Does nothing when the layer is frozen.
  void apply_update(const Eigen::Ref<const Matrix>& delta, const Eigen::Ref<const Matrix>& input, Scalar step);

  /// apply_update, then whether every weight and bias of the layer is finite:
  /// each band of weight rows is checked right after its update, while it is
  /// still in the updating thread's cache (no second pass over W).
  [[nodiscard]] bool apply_update_checked(const Eigen::Ref<const Matrix>& delta, const Eigen::Ref<const Matrix>& input,
                                          Scalar step);

  /// The reference path, through an optimizer (akili/optimizer.hpp): the gradients
  ///   G = -scale·Dᵀ·I into `weight_gradient` (outputs, inputs)   (scale = 1/n: the batch mean)
  ///   g = -scale·Σ_rows D into `bias_gradient` (outputs)
  /// then optimizer.step on W (tensor 2·index, with the trainable mask) and on b
  /// (tensor 2·index + 1, when the layer has a bias) at `learning_rate`. With
  /// plain SGD this is W += lr·scale·Dᵀ·I, apply_update's result up to rounding.
  /// Does nothing when the layer is frozen (its state does not advance either).
  void optimizer_update(const Eigen::Ref<const Matrix>& delta, const Eigen::Ref<const Matrix>& input, Scalar scale,
                        Optimizer<Scalar>& optimizer, std::size_t index, Matrix& weight_gradient, Vec& bias_gradient,
                        Scalar learning_rate);

  /// A batch update fused with the next batch's pass over the same weights: each
  /// thread updates its band of weight rows and, while the band is in its cache,
  /// passes the next batch through it:
  ///   W += step · (Dᵀ·I ∘ mask), b += step · Σ_rows D      (as apply_update)
  ///   next_output = f(I_next·Wᵀ + 1·bᵀ) when `activate`    (as forward, for 2 to 2047 rows)
  ///   next_output = I_next·Wᵀ + 1·bᵀ otherwise             (as combine)
  /// with the same bits as those calls one after the other.
  void update_then_forward(const Eigen::Ref<const Matrix>& delta, const Eigen::Ref<const Matrix>& input, Scalar step,
                           const Eigen::Ref<const Matrix>& next_input, Eigen::Ref<Matrix> next_output, bool activate);

  /// optimizer_update fused with the next batch's pass over the same weights, as
  /// update_then_forward is apply_update's: the bias steps first, then each thread
  /// computes its band's gradient, steps the band and passes the next batch
  /// through it while it is in its cache. Same bits as optimizer_update then
  /// forward (activate) or combine.
  void optimizer_update_then_forward(const Eigen::Ref<const Matrix>& delta, const Eigen::Ref<const Matrix>& input,
                                     Scalar scale, Optimizer<Scalar>& optimizer, std::size_t index,
                                     Matrix& weight_gradient, Vec& bias_gradient, Scalar learning_rate,
                                     const Eigen::Ref<const Matrix>& next_input, Eigen::Ref<Matrix> next_output,
                                     bool activate);

  /// Online (one sample) fused pass over W, each row read and written once:
  ///   back += Σ_i coefficient_i · W.row(i)   (the error sent to the layer below, from the old W)
  ///   W.row(i) += step · delta_i · input     (the update), b += step · delta
  /// `back` may be null (first layer: nothing to send back). Row vectors of length
  /// outputs (coefficient, delta) and inputs (input, back).
  void fused_online_update(const Scalar* coefficient, const Scalar* delta, const Scalar* input, Scalar* back,
                           Scalar step);

  /// One sample, o = f(W·i + b): input row of length inputs, output row of length
  /// outputs. Gives the same bits as the forward pass inside online_update_forward.
  void forward_row(const Scalar* input, Scalar* output) const;
  /// One sample's combined input x = W·i + b (forward_row before the activation).
  void combine_row(const Scalar* input, Scalar* output) const;

  /// Online update fused with the next example's forward pass, one pass over W:
  ///   W.row(i) += step · delta_i · input (∘ mask_i), b += step · delta   (skipped when frozen)
  ///   next_output = f(W·next_input + b) with the updated W, when next_input is not null
  /// Rows of length outputs (delta, next_output) and inputs (input, next_input).
  /// Returns whether every combined input W·next_input + b was finite (true without
  /// a next input): a non-finite weight makes its row's sum non-finite for any
  /// finite input (∞·0 and ∞ − ∞ are NaN), so this checks the updated W in the
  /// same pass.
  bool online_update_forward(const Scalar* delta, const Scalar* input, Scalar step, const Scalar* next_input,
                             Scalar* next_output);

 private:
  // X = I·Wᵀ + 1·bᵀ for the weight rows (output columns) [c0, c0 + width), as a
  // matrix product, then O = f(X) on those columns when `activate_now`.
  void combine_band(const Eigen::Ref<const Matrix>& input, Eigen::Ref<Matrix> output, Eigen::Index c0,
                    Eigen::Index width, bool activate_now) const;
  // W += step · (Dᵀ·I ∘ mask) and b += step · Σ_rows D for the weight rows [r0, r0 + height).
  void update_band(const Eigen::Ref<const Matrix>& delta, const Eigen::Ref<const Matrix>& input, Scalar step,
                   Eigen::Index r0, Eigen::Index height);

  Matrix weights_;
  Vec bias_;
  Matrix mask_;
  Activation activation_;
  bool has_bias_;
  // optimizer_update's parts: the bias's step, and one band's gradient and step
  // (after begin_step on the weights' tensor).
  void optimizer_bias_step(const Eigen::Ref<const Matrix>& delta, Scalar scale, Optimizer<Scalar>& optimizer,
                           std::size_t index, Vec& bias_gradient, Scalar learning_rate);
  void optimizer_band(const Eigen::Ref<const Matrix>& delta, const Eigen::Ref<const Matrix>& input, Scalar scale,
                      Optimizer<Scalar>& optimizer, std::size_t index, Matrix& weight_gradient, Scalar learning_rate,
                      Eigen::Index first_row, Eigen::Index row_count);

  bool frozen_ = false;
  bool has_weights_ = false;
  double dropout_ = 0.0;
};

extern template class Dense<float>;
extern template class Dense<double>;

}  // namespace akili
