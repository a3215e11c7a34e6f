# cmake -DNM=nm -DOBJECTS="a.o;b.o" -P check_isa_objects.cmake
# Fails unless every external symbol an instruction-set kernel object defines is
# in namespace akili::detail::isa_<set>: code with external linkage compiled with
# -mavx2/-mavx512f (an inline function of the standard library or Eigen, say)
# could otherwise be chosen by the linker for every caller, and run AVX
# instructions on a CPU without them.
foreach(object IN LISTS OBJECTS)
  execute_process(COMMAND ${NM} --defined-only --extern-only -C ${object}
                  OUTPUT_VARIABLE symbols RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "${NM} failed on ${object}")
  endif()
  string(REPLACE "\n" ";" lines "${symbols}")
  set(entry_points 0)
  foreach(line IN LISTS lines)
    if(line STREQUAL "")
      continue()
    endif()
    if(line MATCHES " akili::detail::isa_[a-z0-9]+::")
      math(EXPR entry_points "${entry_points} + 1")
    else()
      message(FATAL_ERROR "${object} defines a symbol outside its isa namespace: ${line}")
    endif()
  endforeach()
  if(entry_points EQUAL 0)
    message(FATAL_ERROR "${object} defines no akili::detail::isa_* entry point")
  endif()
  message(STATUS "${object}: ${entry_points} entry points, nothing else external")
endforeach()
