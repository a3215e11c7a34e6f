# Installs the core as a CMake package: headers, libakili.a, akiliConfig.cmake,
# akiliConfigVersion.cmake and akiliTargets.cmake defining the imported target
# akili::akili (with its PUBLIC flags: C++17, EIGEN_MAX_ALIGN_BYTES=64 and, for a
# native build, -march=native, so consumers compile compatibly with the library).
#
# Standalone (`cmake --install build --prefix P`): P/include, P/lib, P/lib/cmake/akili.
# In the wheel (scikit-build-core installs into site-packages): everything lives
# under the package, akili/include, akili/lib and akili/lib/cmake/akili, which
# `python -m akili --cmake-dir` prints.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

if(DEFINED SKBUILD)
  set(AKILI_INSTALL_INCLUDEDIR akili/include)
  set(AKILI_INSTALL_LIBDIR akili/lib)
  # The config then also looks for Eigen in <site-packages>/cmeel.prefix, where
  # the cmeel-eigen wheel (a dependency of akili) puts Eigen's CMake config.
  set(AKILI_CONFIG_FIND_CMEEL ON)
else()
  set(AKILI_INSTALL_INCLUDEDIR ${CMAKE_INSTALL_INCLUDEDIR})
  set(AKILI_INSTALL_LIBDIR ${CMAKE_INSTALL_LIBDIR})
  set(AKILI_CONFIG_FIND_CMEEL OFF)
endif()
set(AKILI_INSTALL_CMAKEDIR ${AKILI_INSTALL_LIBDIR}/cmake/akili)

install(TARGETS akili EXPORT akiliTargets
  ARCHIVE DESTINATION ${AKILI_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${AKILI_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/cpp/include/akili
  DESTINATION ${AKILI_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.hpp")
install(EXPORT akiliTargets
  NAMESPACE akili::
  DESTINATION ${AKILI_INSTALL_CMAKEDIR})

configure_package_config_file(
  ${CMAKE_CURRENT_LIST_DIR}/akiliConfig.cmake.in
  ${PROJECT_BINARY_DIR}/akiliConfig.cmake
  INSTALL_DESTINATION ${AKILI_INSTALL_CMAKEDIR})
write_basic_package_version_file(
  ${PROJECT_BINARY_DIR}/akiliConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMajorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/akiliConfig.cmake
  ${PROJECT_BINARY_DIR}/akiliConfigVersion.cmake
  DESTINATION ${AKILI_INSTALL_CMAKEDIR})
