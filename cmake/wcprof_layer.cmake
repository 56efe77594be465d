# wcprof_layer.cmake - one library per folder, each using only the layers below it.
#
#   wcprof_layer(NAME SOURCES a.c b.c LINK wcprof_x ... [LOADABLE])
#
# makes the static library wcprof_NAME from the folder's sources, its
# headers found by the folders that link it. With LOADABLE (the layers the
# SQLite module holds: db, model, export, sqlext) it also makes
# wcprof_NAME_loadable, an OBJECT library of the same sources compiled for
# the module: WCPROF_LOADABLE routes every sqlite3_* call through the host's
# API table (db/wcp_sqlite.h), and symbols are hidden so the module exports
# its entry point alone. That is the one reason a source is compiled twice.
function(wcprof_layer name)
  cmake_parse_arguments(L "LOADABLE" "" "SOURCES;LINK" ${ARGN})
  add_library(wcprof_${name} STATIC ${L_SOURCES})
  target_include_directories(wcprof_${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
  target_link_libraries(wcprof_${name} PUBLIC ${L_LINK})
  if(L_LOADABLE)
    add_library(wcprof_${name}_loadable OBJECT ${L_SOURCES})
    set_target_properties(wcprof_${name}_loadable PROPERTIES C_VISIBILITY_PRESET hidden)
    target_compile_definitions(wcprof_${name}_loadable PUBLIC WCPROF_LOADABLE)
    target_include_directories(wcprof_${name}_loadable PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}
                               ${SQLITE3_INCLUDE_DIRS})
    foreach(dep IN LISTS L_LINK)
      if(TARGET ${dep}_loadable)
        target_link_libraries(wcprof_${name}_loadable PUBLIC ${dep}_loadable)
      elseif(dep MATCHES "^wcprof_")
        target_link_libraries(wcprof_${name}_loadable PUBLIC ${dep})
      elseif(NOT dep MATCHES "SQLITE3")
        target_link_libraries(wcprof_${name}_loadable PUBLIC ${dep})
      endif()
    endforeach()
  endif()
endfunction()

# wcprof_embed(TARGET FILE NAME): FILE (relative to this folder) as the C
# array NAME in the generated header NAME.h, which TARGET includes.
function(wcprof_embed target file name)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/gen/${name}.h)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DIN=${CMAKE_CURRENT_SOURCE_DIR}/${file} -DOUT=${out} -DNAME=${name}
            -P ${PROJECT_SOURCE_DIR}/cmake/embed.cmake
    DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${file} ${PROJECT_SOURCE_DIR}/cmake/embed.cmake
    VERBATIM)
  target_sources(${target} PRIVATE ${out})
  target_include_directories(${target} PRIVATE ${CMAKE_CURRENT_BINARY_DIR}/gen)
  if(TARGET ${target}_loadable)
    target_sources(${target}_loadable PRIVATE ${out})
    target_include_directories(${target}_loadable PRIVATE ${CMAKE_CURRENT_BINARY_DIR}/gen)
  endif()
endfunction()
