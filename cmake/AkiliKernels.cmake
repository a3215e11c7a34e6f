# Run-time dispatch of the product kernels (docs/cpp.md, "Instruction sets").
#
# On x86-64 the library is compiled for the baseline instruction set, and the
# register-tiled product kernel (cpp/src/gemm_kernel.hpp), the row loops of
# online training (cpp/src/row_loops.hpp) and the element-wise loops (the logistic
# function and Adam's step, cpp/src/element_loops.hpp) once more per instruction set, in
# translation units of their own with their own -m flags: cpp/src/*_avx2.cpp
# (AVX2 + FMA) and cpp/src/*_avx512.cpp (AVX-512F). products.cpp picks the set
# the CPU supports (CPUID), or the one AKILI_ISA names.
# Other architectures use Eigen's products for their baseline (NEON on aarch64).
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64|x86-64)$"
   AND CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  set(_akili_isa_flags_avx2 -mavx2 -mfma)
  set(_akili_isa_flags_avx512 -mavx2 -mfma -mavx512f)
  foreach(isa IN ITEMS avx2 avx512)
    # An object library per instruction set: the flags reach this one file only,
    # and the objects go into libakili.a.
    add_library(akili_kernel_${isa} OBJECT cpp/src/gemm_${isa}.cpp cpp/src/rows_${isa}.cpp
                                            cpp/src/elements_${isa}.cpp)
    target_include_directories(akili_kernel_${isa} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/cpp/src)
    set_target_properties(akili_kernel_${isa} PROPERTIES POSITION_INDEPENDENT_CODE ON CXX_EXTENSIONS OFF)
    target_compile_features(akili_kernel_${isa} PRIVATE cxx_std_17)
    # -ffp-contract=off: no multiply-add the source does not write (clang contracts
    # by default), so the kernels round exactly as gemm_kernel.hpp, row_loops.hpp and
    # element_loops.hpp say.
    target_compile_options(akili_kernel_${isa} PRIVATE $<$<CONFIG:Release>:-O3> ${AKILI_WARNING_FLAGS}
                           ${_akili_isa_flags_${isa}} -ffp-contract=off)
    target_sources(akili PRIVATE $<TARGET_OBJECTS:akili_kernel_${isa}>)
  endforeach()
  target_compile_definitions(akili PRIVATE AKILI_X86_KERNELS=1)
  set(AKILI_KERNEL_OBJECT_LIBRARIES akili_kernel_avx2 akili_kernel_avx512)
else()
  set(AKILI_KERNEL_OBJECT_LIBRARIES)
endif()
