# cmake/install.cmake: what `cmake --install` puts under the prefix, the same
# set as `make install`: headers (C API, C++ API, container header), the
# library, the tool, mk/rbpf.mk, the CMake package and rbpf.pc.
#   include/*.h (rbpf.h, bpf.h) include/rbpf/ include/*.hpp
#   include/rbpf-container/rbpf/container.h   (for containers, not the host)
#   lib/librbpf.a lib/cmake/rbpf/ lib/pkgconfig/rbpf.pc
#   bin/rbpf share/rbpf/mk/rbpf.mk
set(src "${CMAKE_CURRENT_SOURCE_DIR}")
file(GLOB rbpf_public_headers "${src}/include/*.h")
install(FILES ${rbpf_public_headers} DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")
install(DIRECTORY "${src}/include/rbpf" DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
        FILES_MATCHING PATTERN "*.h")
install(DIRECTORY "${src}/cpp/" DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
        FILES_MATCHING PATTERN "*.hpp" PATTERN "*.h")
install(DIRECTORY "${src}/include/container/" DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/rbpf-container")
install(TARGETS rbpf ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}")
if(TARGET rbpf_tool)
  install(TARGETS rbpf_tool RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")
endif()
install(FILES "${src}/mk/rbpf.mk" DESTINATION "${CMAKE_INSTALL_DATADIR}/rbpf/mk")

# The package files, from the templates make install fills in too.
set(cmake_dir "${CMAKE_INSTALL_LIBDIR}/cmake/rbpf")
set(pc_dir "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
file(RELATIVE_PATH RBPF_CONFIG_TO_PREFIX "/prefix/${cmake_dir}" "/prefix")
file(RELATIVE_PATH RBPF_PC_TO_PREFIX "/prefix/${pc_dir}" "/prefix")
string(REGEX REPLACE "/$" "" RBPF_CONFIG_TO_PREFIX "${RBPF_CONFIG_TO_PREFIX}")
string(REGEX REPLACE "/$" "" RBPF_PC_TO_PREFIX "${RBPF_PC_TO_PREFIX}")
set(RBPF_VERSION "${PROJECT_VERSION}")
set(RBPF_LIBDIR "${CMAKE_INSTALL_LIBDIR}")
set(RBPF_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
set(RBPF_BINDIR "${CMAKE_INSTALL_BINDIR}")
set(RBPF_DATADIR "${CMAKE_INSTALL_DATADIR}")
set(RBPF_DEFINES_LIST "${RBPF_DEFINES}")
set(RBPF_DEFINES_FLAGS "")
foreach(def IN LISTS RBPF_DEFINES)
  string(REPLACE "\"" "\\\"" def "${def}")
  string(APPEND RBPF_DEFINES_FLAGS " -D${def}")
endforeach()
set(gen "${CMAKE_CURRENT_BINARY_DIR}/rbpf-package")
configure_file("${src}/cmake/rbpfConfig.cmake.in" "${gen}/rbpfConfig.cmake" @ONLY)
configure_file("${src}/cmake/rbpfConfigVersion.cmake.in" "${gen}/rbpfConfigVersion.cmake" @ONLY)
configure_file("${src}/cmake/rbpf.pc.in" "${gen}/rbpf.pc" @ONLY)
install(FILES "${gen}/rbpfConfig.cmake" "${gen}/rbpfConfigVersion.cmake" "${src}/cmake/rbpf.cmake"
        DESTINATION "${cmake_dir}")
install(FILES "${gen}/rbpf.pc" DESTINATION "${pc_dir}")
