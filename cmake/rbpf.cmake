# cmake/rbpf.cmake: rbpf_add_containers(), included by the rbpf project
# (add_subdirectory) and by rbpfConfig.cmake (find_package). docs/integration.md.
#
#   rbpf_add_containers(<target> [DIRECTORY <dir>] [SOURCES <file>...]
#                       [CPU v1|v2|v3|v4] [OPT <level>] [INCLUDES <dir>...]
#                       [DEFINES <name[=value]>...])
#
# Every .c and .cpp file under DIRECTORY (searched recursively; default
# `container` when neither DIRECTORY nor SOURCES is given) and every file of
# SOURCES becomes a container NAME.bin, named as mk/rbpf.mk names it (its
# path under DIRECTORY, `/` as `_`, no extension: net/filter.c gives
# net_filter; a file of SOURCES outside DIRECTORY: its file name without the
# extension), built by `rbpf build` with the build machine's clang and
# embedded by `rbpf embed` into containers.c/.h, which are added to <target>:
# its sources `#include "containers.h"` and use rbpf_container_NAME[],
# rbpf_container_NAME_size, rbpf_containers[] and rbpf_container_count, and
# from C++ rBPF::Container::NAME (through <rbpf.h>, which includes the
# generated <rbpf/containers.h>). <target> must enable C. A container is
# rebuilt when its source, a header under DIRECTORY or INCLUDES, the
# container headers, the tool or the options change.
#
# Cache variables: RBPF_CLANG (the clang `rbpf build` runs, default clang),
# RBPF_TOOL (an rbpf tool for the build machine; empty: the one this project
# builds, or, when cross-compiling, one built for the build machine with
# RBPF_HOST_C_COMPILER, or the installed one after find_package).
include_guard(GLOBAL)

set(RBPF_CLANG "clang" CACHE STRING "The clang (with the BPF target) that rbpf build runs")
set(RBPF_TOOL "" CACHE FILEPATH "An rbpf tool that runs on the build machine; empty: built here")
set(RBPF_HOST_C_COMPILER "cc" CACHE STRING
    "C compiler for the build machine, for the rbpf tool when cross-compiling")


# Sets <out_command> and <out_depends> to the tool to run and what a custom
# command depends on to have it built first.
function(_rbpf_tool out_command out_depends)
  if(RBPF_TOOL)
    set(command "${RBPF_TOOL}")
    set(depends "${RBPF_TOOL}")
  elseif(TARGET rbpf_tool)
    set(command "$<TARGET_FILE:rbpf_tool>")
    set(depends rbpf_tool)
  elseif(RBPF_INSTALLED_TOOL)
    set(command "${RBPF_INSTALLED_TOOL}")
    set(depends "${RBPF_INSTALLED_TOOL}")
  elseif(RBPF_SOURCE_DIR)
    # Cross-compiling from the source tree: the tool alone, built for the
    # build machine in a project of its own.
    set(dir "${CMAKE_BINARY_DIR}/rbpf-host-tool")
    set(command "${dir}/build/rbpf")
    if(NOT TARGET rbpf_host_tool)
      include(ExternalProject)
      ExternalProject_Add(rbpf_host_tool
        SOURCE_DIR "${RBPF_SOURCE_DIR}"
        PREFIX "${dir}"
        BINARY_DIR "${dir}/build"
        CMAKE_ARGS -DCMAKE_C_COMPILER=${RBPF_HOST_C_COMPILER} -DCMAKE_BUILD_TYPE=Release
                   -DRBPF_TOOL_ONLY=ON -DRBPF_INSTALL=OFF
        BUILD_COMMAND ${CMAKE_COMMAND} --build <BINARY_DIR> --target rbpf_tool
        BUILD_ALWAYS ON
        INSTALL_COMMAND ""
        BUILD_BYPRODUCTS "${command}")
    endif()
    set(depends rbpf_host_tool "${command}")
  else()
    message(FATAL_ERROR "rbpf_add_containers: no rbpf tool: set RBPF_TOOL to one that runs here")
  endif()
  set(${out_command} "${command}" PARENT_SCOPE)
  set(${out_depends} "${depends}" PARENT_SCOPE)
endfunction()

function(rbpf_add_containers target)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "DIRECTORY;CPU;OPT" "SOURCES;INCLUDES;DEFINES")
  set(where "rbpf_add_containers(${target})")
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "${where}: unexpected arguments: ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT TARGET ${target})
    message(FATAL_ERROR "${where}: no target named '${target}'")
  endif()
  get_target_property(done ${target} RBPF_CONTAINERS)
  if(done)
    message(FATAL_ERROR "${where}: called twice for one target: give all containers in one call")
  endif()
  if(NOT ARG_DIRECTORY AND NOT ARG_SOURCES)
    set(ARG_DIRECTORY container)
  endif()

  # Sources and the headers they may include.
  set(sources "")
  set(headers "")
  set(build_flags "")
  if(ARG_DIRECTORY)
    get_filename_component(dir "${ARG_DIRECTORY}" ABSOLUTE)
    if(NOT IS_DIRECTORY "${dir}")
      message(FATAL_ERROR "${where}: DIRECTORY '${ARG_DIRECTORY}' is not a directory (${dir})")
    endif()
    file(GLOB_RECURSE found CONFIGURE_DEPENDS "${dir}/*.c" "${dir}/*.cpp")
    list(SORT found)
    if(NOT found AND NOT ARG_SOURCES)
      message(FATAL_ERROR "${where}: no .c or .cpp files under '${dir}'")
    endif()
    list(APPEND sources ${found})
    file(GLOB_RECURSE found CONFIGURE_DEPENDS "${dir}/*.h" "${dir}/*.hpp")
    list(APPEND headers ${found})
    list(APPEND build_flags "-I${dir}")
    if(IS_DIRECTORY "${dir}/include")
      list(APPEND build_flags "-I${dir}/include")
      target_include_directories(${target} PRIVATE "${dir}/include")
    endif()
  endif()
  foreach(src IN LISTS ARG_SOURCES)
    get_filename_component(src "${src}" ABSOLUTE)
    if(NOT EXISTS "${src}" OR IS_DIRECTORY "${src}")
      message(FATAL_ERROR "${where}: SOURCES: '${src}' is not a file")
    endif()
    list(APPEND sources "${src}")
  endforeach()
  list(REMOVE_DUPLICATES sources)
  foreach(inc IN LISTS ARG_INCLUDES)
    get_filename_component(inc "${inc}" ABSOLUTE)
    file(GLOB_RECURSE found CONFIGURE_DEPENDS "${inc}/*.h" "${inc}/*.hpp")
    list(APPEND headers ${found})
    list(APPEND build_flags "-I${inc}")
  endforeach()
  foreach(def IN LISTS ARG_DEFINES)
    list(APPEND build_flags "-D${def}")
  endforeach()
  if(ARG_CPU)
    if(NOT ARG_CPU MATCHES "^v[1-4]$")
      message(FATAL_ERROR "${where}: CPU must be v1, v2, v3 or v4, not '${ARG_CPU}'")
    endif()
    list(APPEND build_flags --cpu ${ARG_CPU})
  endif()
  if(ARG_OPT)
    string(REGEX REPLACE "^-?O" "" level "${ARG_OPT}")
    list(APPEND build_flags "-O${level}")
  endif()

  _rbpf_tool(tool tool_depends)
  # The container headers: installed (set by rbpfConfig.cmake) or in the
  # tree; they include ../rbpf/common/*.h beside them.
  if(RBPF_CONTAINER_INCLUDE_DIR)
    set(container_include "${RBPF_CONTAINER_INCLUDE_DIR}")
  else()
    set(container_include "${RBPF_SOURCE_DIR}/include/container")
  endif()
  file(GLOB_RECURSE api_headers CONFIGURE_DEPENDS "${container_include}/*.h")
  file(GLOB common_headers CONFIGURE_DEPENDS "${container_include}/../rbpf/common/*.h")
  list(APPEND api_headers ${common_headers})
  set(out "${CMAKE_CURRENT_BINARY_DIR}/rbpf/${target}")
  file(MAKE_DIRECTORY "${out}")
  # Changing the clang or the options rebuilds every container: the record is
  # rewritten only when they change.
  set(record "${out}/build-flags")
  set(text "${RBPF_CLANG} ${build_flags}\n")
  if(EXISTS "${record}")
    file(READ "${record}" old)
  else()
    set(old "")
  endif()
  if(NOT old STREQUAL text)
    file(WRITE "${record}" "${text}")
  endif()

  set(bins "")
  set(names "")
  set(origin "")
  foreach(src IN LISTS sources)
    if(ARG_DIRECTORY)
      file(RELATIVE_PATH rel "${dir}" "${src}")
    else()
      set(rel "../")
    endif()
    if(rel MATCHES "^\\.\\./")
      get_filename_component(name "${src}" NAME_WLE)
    else()
      string(REGEX REPLACE "\\.[^./]*$" "" name "${rel}")
      string(REPLACE "/" "_" name "${name}")
    endif()
    list(FIND names "${name}" seen)
    if(NOT seen EQUAL -1)
      list(GET origin ${seen} first)
      message(FATAL_ERROR "${where}: ${first} and ${src} both give the container name '${name}'")
    endif()
    list(APPEND names "${name}")
    list(APPEND origin "${src}")
    set(bin "${out}/${name}.bin")
    add_custom_command(OUTPUT "${bin}"
      COMMAND ${CMAKE_COMMAND} -E env "CLANG=${RBPF_CLANG}" "RBPF_INCLUDE=${container_include}"
              ${tool} build -o "${bin}" ${build_flags} "${src}"
      DEPENDS "${src}" ${headers} ${api_headers} "${record}"
              ${tool_depends}
      COMMENT "rbpf build ${src}"
      VERBATIM)
    list(APPEND bins "${bin}")
  endforeach()

  add_custom_command(OUTPUT "${out}/containers.c" "${out}/containers.h"
    COMMAND ${tool} embed -o "${out}/containers" ${bins}
    DEPENDS ${bins} ${tool_depends}
    COMMENT "rbpf embed: ${names}"
    VERBATIM)
  # <rbpf/containers.h>, Sming's name for the generated header, which <rbpf.h>
  # includes in C++.
  set(wrapper "${out}/include/rbpf/containers.h")
  if(NOT EXISTS "${wrapper}")
    file(WRITE "${wrapper}" "#include \"../../containers.h\"\n")
  endif()
  target_sources(${target} PRIVATE "${out}/containers.c" "${out}/containers.h")
  target_include_directories(${target} PRIVATE "${out}" "${out}/include")
  set_target_properties(${target} PROPERTIES RBPF_CONTAINERS "${names}" RBPF_CONTAINERS_DIR "${out}")
endfunction()
