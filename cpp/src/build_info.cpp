// Build information and the one-time choice of the product kernels (CPUID or
// AKILI_ISA). Baseline code, like everything outside gemm_avx2.cpp and gemm_avx512.cpp.
#include "akili/build_info.hpp"

#include <Eigen/Core>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <string>

#ifndef AKILI_VERSION
#define AKILI_VERSION "unknown"
#endif

namespace akili {
namespace {

std::vector<Isa> compiled_sets() {
#if AKILI_X86_KERNELS
  return {Isa::baseline, Isa::avx2, Isa::avx512};
#else
  return {Isa::baseline};
#endif
}

bool cpu_runs(Isa isa) {
  switch (isa) {
    case Isa::baseline:
      return true;
#if AKILI_X86_KERNELS
    // libgcc's (and compiler-rt's) CPUID probe; it also checks that the operating
    // system saves the AVX and AVX-512 registers (XGETBV).
    case Isa::avx2:
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case Isa::avx512:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    case Isa::avx2:
    case Isa::avx512:
      return false;
#endif
  }
  return false;
}

std::vector<Isa> supported_sets() {
  std::vector<Isa> supported;
  for (const Isa isa : compiled_sets()) {
    if (cpu_runs(isa)) supported.push_back(isa);
  }
  return supported;
}

std::string joined(const std::vector<Isa>& sets) {
  std::string text;
  for (const Isa isa : sets) text += (text.empty() ? "" : ", ") + to_string(isa);
  return text;
}

struct Choice {
  Isa isa;
  bool forced;
};

Choice choose() {
  const std::vector<Isa> supported = supported_sets();
  const char* requested = std::getenv("AKILI_ISA");
  const std::string name = requested ? requested : "";
  if (name.empty() || name == "auto") return {supported.back(), false};
  Isa isa = Isa::baseline;
  if (name == "baseline") {
    isa = Isa::baseline;
  } else if (name == "avx2") {
    isa = Isa::avx2;
  } else if (name == "avx512") {
    isa = Isa::avx512;
  } else {
    throw std::invalid_argument("AKILI_ISA=\"" + name +
                                "\" names no kernel set; expected baseline, avx2, avx512 or auto (or leave it unset)");
  }
  const std::vector<Isa> compiled = compiled_sets();
  if (std::find(compiled.begin(), compiled.end(), isa) == compiled.end()) {
    throw std::invalid_argument("AKILI_ISA=" + name +
                                " asks for kernels this build of akili does not contain "
                                "(compiled in: " +
                                joined(compiled) + ")");
  }
  if (std::find(supported.begin(), supported.end(), isa) == supported.end()) {
    throw std::invalid_argument("AKILI_ISA=" + name + " asks for " +
                                (isa == Isa::avx2 ? std::string("AVX2 and FMA") : std::string("AVX-512F")) +
                                ", which this CPU does not support (it runs: " + joined(supported) +
                                "); unset AKILI_ISA or choose one of those");
  }
  return {isa, true};
}

// Chosen on first use; a failed choice (bad AKILI_ISA) is retried, and fails
// again, on every call, so no product ever runs on a path nobody asked for.
const Choice& choice() {
  static const Choice chosen = [] {
    // Eigen sizes the blocks of its products from the cache sizes CPUID reports,
    // and the blocks fix the order of each sum: with sizes fixed here, Eigen's
    // products (the baseline path, and the small products outside the dispatched
    // kernels) round the same on every CPU. 32 KiB / 256 KiB / 2 MiB: L1 and L2
    // of most x86-64 cores, and a modest share of L3.
    Eigen::setCpuCacheSizes(32 * 1024, 256 * 1024, 2 * 1024 * 1024);
    return choose();
  }();
  return chosen;
}

std::string compiler_name() {
#if defined(__clang__)
  return std::string("clang ") + __clang_version__;
#elif defined(__GNUC__)
  return std::string("GCC ") + __VERSION__;
#else
  return "unknown";
#endif
}

std::string architecture_name() {
#if defined(__x86_64__) || defined(_M_X64)
  return "x86_64";
#elif defined(__aarch64__)
  return "aarch64";
#else
  return "other";
#endif
}

}  // namespace

std::string to_string(Isa isa) {
  switch (isa) {
    case Isa::baseline:
      return "baseline";
    case Isa::avx2:
      return "avx2";
    case Isa::avx512:
      return "avx512";
  }
  return "unknown";
}

Isa active_isa() { return choice().isa; }

BuildInfo build_info() {
  BuildInfo info;
  info.version = AKILI_VERSION;
  info.compiler = compiler_name();
  info.eigen_version = std::to_string(EIGEN_WORLD_VERSION) + "." + std::to_string(EIGEN_MAJOR_VERSION) + "." +
                       std::to_string(EIGEN_MINOR_VERSION);
  info.architecture = architecture_name();
#if AKILI_NATIVE_BUILD
  info.native = true;
#endif
  info.compiled = compiled_sets();
  info.supported = supported_sets();
  info.active = choice().isa;
  info.forced = choice().forced;
  return info;
}

}  // namespace akili
