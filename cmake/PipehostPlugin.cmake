# pipehost_add_plugin(<name> <sources>...)
#
# Builds a pipehost plugin: a MODULE library named `pipehost-<name>.so`, C++20, symbols hidden except
# the SDK's entry point, no undefined symbols left to the host. Used in-tree and by out-of-tree
# plugins through find_package(pipehost).
function(pipehost_add_plugin name)
  if(NOT ARGN)
    message(FATAL_ERROR "pipehost_add_plugin(${name}): no sources given")
  endif()
  add_library(${name} MODULE ${ARGN})
  target_link_libraries(${name} PRIVATE pipehost::sdk)
  target_compile_features(${name} PRIVATE cxx_std_20)
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    OUTPUT_NAME "pipehost-${name}"
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    POSITION_INDEPENDENT_CODE ON)
  if(PIPEHOST_PLUGIN_OUTPUT_DIR)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${PIPEHOST_PLUGIN_OUTPUT_DIR}")
  endif()
  if(PIPEHOST_INSTALL_PLUGINS)
    install(TARGETS ${name} LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}/pipehost/plugins" COMPONENT runtime)
  endif()
  if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
    # Every symbol a plugin needs must come from its own link line, and static libraries it pulls in
    # stay private to it (no symbol shadowing between plugins).
    target_link_options(${name} PRIVATE "LINKER:--no-undefined" "LINKER:--exclude-libs,ALL")
  endif()
endfunction()
