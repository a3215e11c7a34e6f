#pragma once
// How this copy of the core was built and which product kernels it runs.
//
// The library targets the architecture's baseline (x86-64: SSE2) everywhere
// except the matrix-product kernel, which is also compiled for AVX2+FMA and
// AVX-512 in translation units of its own; the first product picks the best
// one the CPU runs (CPUID), or the one the environment variable AKILI_ISA names.
// docs/cpp.md ("Instruction sets") says what each path guarantees.

#include <string>
#include <vector>

namespace akili {

/// The kernel sets of the matrix products.
enum class Isa {
  baseline,  ///< Eigen's products at the architecture's baseline (SSE2 on x86-64, NEON on aarch64)
  avx2,      ///< akili's register-tiled kernel with AVX2 and FMA
  avx512,    ///< the same kernel with AVX-512F registers: the same bits as avx2
};

std::string to_string(Isa isa);

/// The kernel set in use by this process, chosen once: AKILI_ISA when it is set
/// (`baseline`, `avx2`, `avx512` or `auto`), else the widest the CPU supports.
/// Throws std::invalid_argument, naming AKILI_ISA, for an unknown name or a set
/// this CPU or this build lacks (and again on every later call: nothing runs on
/// a path other than the one asked for). Constructing a Dense layer calls it.
Isa active_isa();

struct BuildInfo {
  std::string version;         // akili's version
  std::string compiler;        // e.g. "GCC 12.2.0"
  std::string eigen_version;   // e.g. "3.4.0"
  std::string architecture;    // "x86_64", "aarch64", ...
  bool native = false;         // built with -march=native (CMake option AKILI_NATIVE)
  std::vector<Isa> compiled;   // kernel sets compiled in, baseline first
  std::vector<Isa> supported;  // those of them this CPU runs
  Isa active = Isa::baseline;  // the one in use (active_isa())
  bool forced = false;         // chosen by AKILI_ISA rather than by the CPU
};

/// This build and this process's kernel choice; throws like active_isa().
BuildInfo build_info();

}  // namespace akili
