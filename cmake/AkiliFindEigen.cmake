# Finds Eigen 3.4 and defines the target Eigen3::Eigen.
#
# For the Python build, the `cmeel-eigen` wheel among the build requirements is
# preferred (its CMake config lives under <site-packages>/cmeel.prefix of the
# Python running the build), so `pip install .` uses the same Eigen everywhere.
# Otherwise any Eigen3 config on CMAKE_PREFIX_PATH or in the system is used
# (Debian: libeigen3-dev), with no Python involved.
if(AKILI_BUILD_PYTHON)
  find_package(Python COMPONENTS Interpreter QUIET)
  if(Python_EXECUTABLE)
    execute_process(
      COMMAND "${Python_EXECUTABLE}" -c
        "import os, sys; print(';'.join(p + '/cmeel.prefix' for p in sys.path if os.path.isdir(p + '/cmeel.prefix')))"
      OUTPUT_VARIABLE _akili_cmeel_prefixes
      OUTPUT_STRIP_TRAILING_WHITESPACE)
    list(PREPEND CMAKE_PREFIX_PATH ${_akili_cmeel_prefixes})
  endif()
endif()
find_package(Eigen3 3.4 CONFIG REQUIRED NO_MODULE)
message(STATUS "akili: Eigen ${Eigen3_VERSION} from ${Eigen3_DIR}")
