// One SIMD register of float or double and the operations the instruction-set
// kernels need (gemm_kernel.hpp, row_loops.hpp), written with intrinsics: 512
// bits where the translation unit targets AVX-512, 256 bits (AVX2 + FMA) otherwise.
//
// One-definition rule: included only by the kernel translation units, each
// compiled with its own -m flags; everything lives in an anonymous namespace, so
// the linker never merges code built for one instruction set into another.
#pragma once

#if !defined(__AVX2__) || !defined(__FMA__)
#error "isa_packet.hpp is compiled only with -mavx2 -mfma (or more): see cmake/AkiliKernels.cmake"
#endif

// GCC 12's AVX-512 intrinsics start from _mm512_undefined_*() / _mm256_undefined_*(),
// a self-initialised variable that -Wmaybe-uninitialized and -Wuninitialized
// report once inlined (GCC bug 105593, fixed in GCC 13); the reports point into
// the header, so silencing them there keeps the warnings on for this project's
// own code.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop
#else
#include <immintrin.h>
#endif

#include <cstddef>
#include <cstdint>

namespace akili::kernels {
namespace {

using Index = std::ptrdiff_t;

/// One vector register of Scalar and the operations the kernels need: 512 bits
/// where the translation unit targets AVX-512, 256 bits otherwise.
template <typename Scalar>
struct Packet;

/// lane[i] += lane[i + h] for h = 4, 2, 1 over eight floats; returns lane 0 (the
/// end of every float Packet's halving_sum: AVX-512 first adds its upper half).
inline float halving_sum_of_eight(__m256 v) {
  const __m128 four = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 two = _mm_add_ps(four, _mm_movehl_ps(four, four));
  return _mm_cvtss_f32(_mm_add_ss(two, _mm_shuffle_ps(two, two, 1)));
}

/// lane[i] += lane[i + h] for h = 2, 1 over four doubles; returns lane 0.
inline double halving_sum_of_four(__m256d v) {
  const __m128d two = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
  return _mm_cvtsd_f64(_mm_add_sd(two, _mm_unpackhi_pd(two, two)));
}

#if defined(__AVX512F__)
template <>
struct Packet<float> {
  using Register = __m512;
  static constexpr int kWidth = 16;
  static Register zero() { return _mm512_setzero_ps(); }
  static Register load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, Register v) { _mm512_storeu_ps(p, v); }
  // The first `count` (0 to kWidth) values; the other lanes read as 0 and are never touched.
  static Register load_first(const float* p, Index count) {
    return _mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << count) - 1u), p);
  }
  static void store_first(float* p, Register v, Index count) {
    _mm512_mask_storeu_ps(p, static_cast<__mmask16>((1u << count) - 1u), v);
  }
  // lane[i] += lane[i + h] for h = 8, 4, 2, 1; returns lane 0.
  static float halving_sum(Register v) {
    // The upper 256 bits through the double view: AVX-512F alone has no float extract of them.
    const __m256 upper = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1));
    return halving_sum_of_eight(_mm256_add_ps(_mm512_castps512_ps256(v), upper));
  }
  static Register broadcast(const float* p) { return _mm512_set1_ps(*p); }
  static Register splat(float x) { return _mm512_set1_ps(x); }
  static Register fma(Register a, Register b, Register c) { return _mm512_fmadd_ps(a, b, c); }  // a·b + c
  static Register mul(Register a, Register b) { return _mm512_mul_ps(a, b); }
  static Register add(Register a, Register b) { return _mm512_add_ps(a, b); }
  static Register sub(Register a, Register b) { return _mm512_sub_ps(a, b); }
  static Register div(Register a, Register b) { return _mm512_div_ps(a, b); }
  static Register sqrt(Register a) { return _mm512_sqrt_ps(a); }
  // min/max: the second operand where either is NaN, as SSE's minps/maxps.
  static Register min(Register a, Register b) { return _mm512_min_ps(a, b); }
  static Register max(Register a, Register b) { return _mm512_max_ps(a, b); }
  static Register floor(Register a) { return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC); }
  static Register negate(Register a) {  // -a: the sign bit flipped (AVX-512F has no float xor)
    return _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(a), _mm512_set1_epi32(INT32_MIN)));
  }
  /// a·2^e for whole-number e in [-278, 278] (ldexp_steps below).
  static Register ldexp(Register a, Register e) {
    const __m512i whole = _mm512_cvttps_epi32(e);
    const __m512i quarter = _mm512_srai_epi32(whole, 2);  // b = ⌊e/4⌋
    const __m512i rest = _mm512_sub_epi32(_mm512_sub_epi32(_mm512_sub_epi32(whole, quarter), quarter), quarter);
    const __m512i bias = _mm512_set1_epi32(127);
    const Register c = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(quarter, bias), 23));  // 2^b
    const Register d = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(rest, bias), 23));     // 2^(e-3b)
    return mul(mul(mul(mul(a, c), c), c), d);
  }
};

template <>
struct Packet<double> {
  using Register = __m512d;
  static constexpr int kWidth = 8;
  static Register zero() { return _mm512_setzero_pd(); }
  static Register load(const double* p) { return _mm512_loadu_pd(p); }
  static void store(double* p, Register v) { _mm512_storeu_pd(p, v); }
  static Register load_first(const double* p, Index count) {
    return _mm512_maskz_loadu_pd(static_cast<__mmask8>((1u << count) - 1u), p);
  }
  static void store_first(double* p, Register v, Index count) {
    _mm512_mask_storeu_pd(p, static_cast<__mmask8>((1u << count) - 1u), v);
  }
  // lane[i] += lane[i + h] for h = 4, 2, 1; returns lane 0.
  static double halving_sum(Register v) {
    return halving_sum_of_four(_mm256_add_pd(_mm512_castpd512_pd256(v), _mm512_extractf64x4_pd(v, 1)));
  }
  static Register broadcast(const double* p) { return _mm512_set1_pd(*p); }
  static Register splat(double x) { return _mm512_set1_pd(x); }
  static Register fma(Register a, Register b, Register c) { return _mm512_fmadd_pd(a, b, c); }  // a·b + c
  static Register mul(Register a, Register b) { return _mm512_mul_pd(a, b); }
  static Register add(Register a, Register b) { return _mm512_add_pd(a, b); }
  static Register sub(Register a, Register b) { return _mm512_sub_pd(a, b); }
  static Register div(Register a, Register b) { return _mm512_div_pd(a, b); }
  static Register sqrt(Register a) { return _mm512_sqrt_pd(a); }
  static Register min(Register a, Register b) { return _mm512_min_pd(a, b); }
  static Register max(Register a, Register b) { return _mm512_max_pd(a, b); }
  static Register floor(Register a) { return _mm512_roundscale_pd(a, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC); }
  static Register negate(Register a) {
    return _mm512_castsi512_pd(_mm512_xor_si512(_mm512_castpd_si512(a), _mm512_set1_epi64(INT64_MIN)));
  }
  /// a·2^e for whole-number e in [-2099, 2099] (ldexp_steps below).
  static Register ldexp(Register a, Register e) {
    const __m256i whole = _mm512_cvtpd_epi32(e);
    const __m256i quarter = _mm256_srai_epi32(whole, 2);  // b = ⌊e/4⌋
    const __m256i rest = _mm256_sub_epi32(_mm256_sub_epi32(_mm256_sub_epi32(whole, quarter), quarter), quarter);
    const __m256i bias = _mm256_set1_epi32(1023);
    const Register c =
        _mm512_castsi512_pd(_mm512_slli_epi64(_mm512_cvtepi32_epi64(_mm256_add_epi32(quarter, bias)), 52));  // 2^b
    const Register d =
        _mm512_castsi512_pd(_mm512_slli_epi64(_mm512_cvtepi32_epi64(_mm256_add_epi32(rest, bias)), 52));  // 2^(e-3b)
    return mul(mul(mul(mul(a, c), c), c), d);
  }
};
#else
template <>
struct Packet<float> {
  using Register = __m256;
  static constexpr int kWidth = 8;
  static Register zero() { return _mm256_setzero_ps(); }
  static Register load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, Register v) { _mm256_storeu_ps(p, v); }
  // The first `count` (0 to kWidth) values; the other lanes read as 0 and are never touched.
  static __m256i first_lanes(Index count) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(count)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static Register load_first(const float* p, Index count) { return _mm256_maskload_ps(p, first_lanes(count)); }
  static void store_first(float* p, Register v, Index count) { _mm256_maskstore_ps(p, first_lanes(count), v); }
  // lane[i] += lane[i + h] for h = 4, 2, 1; returns lane 0.
  static float halving_sum(Register v) { return halving_sum_of_eight(v); }
  static Register broadcast(const float* p) { return _mm256_broadcast_ss(p); }
  static Register splat(float x) { return _mm256_set1_ps(x); }
  static Register fma(Register a, Register b, Register c) { return _mm256_fmadd_ps(a, b, c); }  // a·b + c
  static Register mul(Register a, Register b) { return _mm256_mul_ps(a, b); }
  static Register add(Register a, Register b) { return _mm256_add_ps(a, b); }
  static Register sub(Register a, Register b) { return _mm256_sub_ps(a, b); }
  static Register div(Register a, Register b) { return _mm256_div_ps(a, b); }
  static Register sqrt(Register a) { return _mm256_sqrt_ps(a); }
  static Register min(Register a, Register b) { return _mm256_min_ps(a, b); }
  static Register max(Register a, Register b) { return _mm256_max_ps(a, b); }
  static Register floor(Register a) { return _mm256_floor_ps(a); }
  static Register negate(Register a) { return _mm256_xor_ps(a, _mm256_set1_ps(-0.0f)); }
  /// a·2^e for whole-number e in [-278, 278] (ldexp_steps below).
  static Register ldexp(Register a, Register e) {
    const __m256i whole = _mm256_cvttps_epi32(e);
    const __m256i quarter = _mm256_srai_epi32(whole, 2);  // b = ⌊e/4⌋
    const __m256i rest = _mm256_sub_epi32(_mm256_sub_epi32(_mm256_sub_epi32(whole, quarter), quarter), quarter);
    const __m256i bias = _mm256_set1_epi32(127);
    const Register c = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(quarter, bias), 23));  // 2^b
    const Register d = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(rest, bias), 23));     // 2^(e-3b)
    return mul(mul(mul(mul(a, c), c), c), d);
  }
};

template <>
struct Packet<double> {
  using Register = __m256d;
  static constexpr int kWidth = 4;
  static Register zero() { return _mm256_setzero_pd(); }
  static Register load(const double* p) { return _mm256_loadu_pd(p); }
  static void store(double* p, Register v) { _mm256_storeu_pd(p, v); }
  static __m256i first_lanes(Index count) {
    return _mm256_cmpgt_epi64(_mm256_set1_epi64x(count), _mm256_setr_epi64x(0, 1, 2, 3));
  }
  static Register load_first(const double* p, Index count) { return _mm256_maskload_pd(p, first_lanes(count)); }
  static void store_first(double* p, Register v, Index count) { _mm256_maskstore_pd(p, first_lanes(count), v); }
  // lane[i] += lane[i + h] for h = 2, 1; returns lane 0.
  static double halving_sum(Register v) { return halving_sum_of_four(v); }
  static Register broadcast(const double* p) { return _mm256_broadcast_sd(p); }
  static Register splat(double x) { return _mm256_set1_pd(x); }
  static Register fma(Register a, Register b, Register c) { return _mm256_fmadd_pd(a, b, c); }  // a·b + c
  static Register mul(Register a, Register b) { return _mm256_mul_pd(a, b); }
  static Register add(Register a, Register b) { return _mm256_add_pd(a, b); }
  static Register sub(Register a, Register b) { return _mm256_sub_pd(a, b); }
  static Register div(Register a, Register b) { return _mm256_div_pd(a, b); }
  static Register sqrt(Register a) { return _mm256_sqrt_pd(a); }
  static Register min(Register a, Register b) { return _mm256_min_pd(a, b); }
  static Register max(Register a, Register b) { return _mm256_max_pd(a, b); }
  static Register floor(Register a) { return _mm256_floor_pd(a); }
  static Register negate(Register a) { return _mm256_xor_pd(a, _mm256_set1_pd(-0.0)); }
  /// a·2^e for whole-number e in [-2099, 2099] (ldexp_steps below).
  static Register ldexp(Register a, Register e) {
    const __m128i whole = _mm256_cvtpd_epi32(e);
    const __m128i quarter = _mm_srai_epi32(whole, 2);  // b = ⌊e/4⌋
    const __m128i rest = _mm_sub_epi32(_mm_sub_epi32(_mm_sub_epi32(whole, quarter), quarter), quarter);
    const __m128i bias = _mm_set1_epi32(1023);
    const Register c = _mm256_castsi256_pd(_mm256_slli_epi64(_mm256_cvtepi32_epi64(_mm_add_epi32(quarter, bias)), 52));
    const Register d = _mm256_castsi256_pd(_mm256_slli_epi64(_mm256_cvtepi32_epi64(_mm_add_epi32(rest, bias)), 52));
    return mul(mul(mul(mul(a, c), c), c), d);  // a·2^b·2^b·2^b·2^(e-3b)
  }
};
#endif

// ldexp_steps: Packet::ldexp(a, e) = a·2^e as Eigen's pldexp computes it
// (GenericPacketMathFunctions.h, and SSE's Packet2d specialisation), so that the
// exponential below rounds as the baseline build's does: with b = ⌊e/4⌋,
// ((a·2^b)·2^b)·2^b·2^(e-3b), each factor a normal number, so no intermediate
// overflows where the result does not. The callers pass |e| ≤ 128 (float) or
// 1024 (double), inside Eigen's clamp of ±278 and ±2099, which is therefore
// left out.

/// a·b + c with one rounding (the compiler's built-in: one instruction under -mfma).
inline float scalar_fma(float a, float b, float c) { return __builtin_fmaf(a, b, c); }
inline double scalar_fma(double a, double b, double c) { return __builtin_fma(a, b, c); }

}  // namespace
}  // namespace akili::kernels
