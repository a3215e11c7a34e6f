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

#include <immintrin.h>

#include <cstddef>

namespace akili::kernels {
namespace {

using Index = std::ptrdiff_t;

/// One vector register of Scalar and the operations the kernels need: 512 bits
/// where the translation unit targets AVX-512, 256 bits otherwise.
template <typename Scalar>
struct Packet;

#if defined(__AVX512F__)
template <>
struct Packet<float> {
  using Register = __m512;
  static constexpr int kWidth = 16;
  static Register zero() { return _mm512_setzero_ps(); }
  static Register load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, Register v) { _mm512_storeu_ps(p, v); }
  static Register broadcast(const float* p) { return _mm512_set1_ps(*p); }
  static Register splat(float x) { return _mm512_set1_ps(x); }
  static Register fma(Register a, Register b, Register c) { return _mm512_fmadd_ps(a, b, c); }  // a·b + c
  static Register mul(Register a, Register b) { return _mm512_mul_ps(a, b); }
  static Register add(Register a, Register b) { return _mm512_add_ps(a, b); }
};

template <>
struct Packet<double> {
  using Register = __m512d;
  static constexpr int kWidth = 8;
  static Register zero() { return _mm512_setzero_pd(); }
  static Register load(const double* p) { return _mm512_loadu_pd(p); }
  static void store(double* p, Register v) { _mm512_storeu_pd(p, v); }
  static Register broadcast(const double* p) { return _mm512_set1_pd(*p); }
  static Register splat(double x) { return _mm512_set1_pd(x); }
  static Register fma(Register a, Register b, Register c) { return _mm512_fmadd_pd(a, b, c); }  // a·b + c
  static Register mul(Register a, Register b) { return _mm512_mul_pd(a, b); }
  static Register add(Register a, Register b) { return _mm512_add_pd(a, b); }
};
#else
template <>
struct Packet<float> {
  using Register = __m256;
  static constexpr int kWidth = 8;
  static Register zero() { return _mm256_setzero_ps(); }
  static Register load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, Register v) { _mm256_storeu_ps(p, v); }
  static Register broadcast(const float* p) { return _mm256_broadcast_ss(p); }
  static Register splat(float x) { return _mm256_set1_ps(x); }
  static Register fma(Register a, Register b, Register c) { return _mm256_fmadd_ps(a, b, c); }  // a·b + c
  static Register mul(Register a, Register b) { return _mm256_mul_ps(a, b); }
  static Register add(Register a, Register b) { return _mm256_add_ps(a, b); }
};

template <>
struct Packet<double> {
  using Register = __m256d;
  static constexpr int kWidth = 4;
  static Register zero() { return _mm256_setzero_pd(); }
  static Register load(const double* p) { return _mm256_loadu_pd(p); }
  static void store(double* p, Register v) { _mm256_storeu_pd(p, v); }
  static Register broadcast(const double* p) { return _mm256_broadcast_sd(p); }
  static Register splat(double x) { return _mm256_set1_pd(x); }
  static Register fma(Register a, Register b, Register c) { return _mm256_fmadd_pd(a, b, c); }  // a·b + c
  static Register mul(Register a, Register b) { return _mm256_mul_pd(a, b); }
  static Register add(Register a, Register b) { return _mm256_add_pd(a, b); }
};
#endif

/// a·b + c with one rounding (the compiler's built-in: one instruction under -mfma).
inline float scalar_fma(float a, float b, float c) { return __builtin_fmaf(a, b, c); }
inline double scalar_fma(double a, double b, double c) { return __builtin_fma(a, b, c); }

}  // namespace
}  // namespace akili::kernels
