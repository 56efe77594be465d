# wcprof_package.cmake - the package files `cmake --install` writes beside
# the libraries, so that other projects find the recorder as they find any
# library (README.md, "Installing"):
#
#   find_package(wcprof)   lib/cmake/wcprof/: wcprof::wcprof (libwcprof.so)
#                          and wcprof::wcprof_static (libwcprof.a)
#   pkg-config wcprof      lib/pkgconfig/wcprof.pc: -lwcprof; with --static
#                          also the threads library
#
# Both are relocatable: they find the prefix from where they were installed,
# so `cmake --install build --prefix P` works for any P, chosen at install time.
include(CMakePackageConfigHelpers)
set(WCPROF_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/wcprof)

install(EXPORT wcprofTargets NAMESPACE wcprof:: DESTINATION ${WCPROF_CMAKE_DIR})
configure_package_config_file(cmake/wcprofConfig.cmake.in
  ${PROJECT_BINARY_DIR}/wcprofConfig.cmake INSTALL_DESTINATION ${WCPROF_CMAKE_DIR}
  PATH_VARS CMAKE_INSTALL_BINDIR CMAKE_INSTALL_LIBDIR CMAKE_INSTALL_DATADIR)
# 0.x: a minor version may break the API, so only the same minor matches.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/wcprofConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/wcprofConfig.cmake ${PROJECT_BINARY_DIR}/wcprofConfigVersion.cmake
        DESTINATION ${WCPROF_CMAKE_DIR})

# wcprof.pc names its directories relative to its own (${pcfiledir}).
function(wcprof_pc_dir var dir)
  if(IS_ABSOLUTE "${dir}")
    set(${var} "${dir}" PARENT_SCOPE)
  else()
    set(${var} "\${prefix}/${dir}" PARENT_SCOPE)
  endif()
endfunction()
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(WCPROF_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH _up /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
  string(REGEX REPLACE "/$" "" _up "${_up}")
  set(WCPROF_PC_PREFIX "\${pcfiledir}/${_up}")
endif()
wcprof_pc_dir(WCPROF_PC_LIBDIR "${CMAKE_INSTALL_LIBDIR}")
wcprof_pc_dir(WCPROF_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
# Threads::Threads is -pthread or -lpthread or nothing, depending on the C
# library; a static link of libwcprof needs it, so --static always says it.
set(WCPROF_PC_THREADS "-lpthread")
configure_file(cmake/wcprof.pc.in ${PROJECT_BINARY_DIR}/wcprof.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/wcprof.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
