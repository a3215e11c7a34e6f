# Stable header paths for the Python build, so a second `pip install` reuses compiled objects.
#
# pip builds in an isolated environment with a new random path each time
# (/tmp/pip-build-env-XXXX), and Eigen (cmeel-eigen) and pybind11 come from there.
# Their include directories are on every compile command, so every command changed
# from one install to the next. scikit-build-core also clears CMakeFiles/ (the
# objects) when the environment moved, so the objects must come from ccache (see
# CMakeLists.txt), which only finds them under identical commands: here the headers
# are mirrored into the build directory, a file rewritten only when its content
# differs, and the imported targets point there.
function(akili_stable_includes target subdirectory)
  if(CMAKE_VERSION VERSION_LESS 3.21)  # file(COPY_FILE ... ONLY_IF_DIFFERENT) arrived in 3.21
    return()
  endif()
  get_target_property(_directories ${target} INTERFACE_INCLUDE_DIRECTORIES)
  if(NOT _directories)
    return()
  endif()
  set(_mirrored "")
  set(_index 0)
  foreach(_directory IN LISTS _directories)
    if(NOT IS_DIRECTORY "${_directory}" OR NOT _directory MATCHES "pip-build-env")
      list(APPEND _mirrored "${_directory}")  # already stable (e.g. the system's Python headers)
      continue()
    endif()
    set(_destination "${CMAKE_BINARY_DIR}/stable-include/${subdirectory}/${_index}")
    math(EXPR _index "${_index} + 1")
    file(GLOB_RECURSE _files RELATIVE "${_directory}" "${_directory}/*")
    foreach(_file IN LISTS _files)
      get_filename_component(_parent "${_destination}/${_file}" DIRECTORY)
      file(MAKE_DIRECTORY "${_parent}")
      file(COPY_FILE "${_directory}/${_file}" "${_destination}/${_file}" ONLY_IF_DIFFERENT)
    endforeach()
    list(APPEND _mirrored "${_destination}")
  endforeach()
  set_target_properties(${target} PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${_mirrored}")
endfunction()
