# CPack pre-build script for the tarball: turns the staged install tree into the unpack-and-run
# layout (plugins/, examples/ and docs/ at the top; see cmake/Packaging.cmake).
set(root "${CPACK_TEMPORARY_DIRECTORY}${CPACK_PACKAGING_INSTALL_PREFIX}")
if(NOT IS_DIRECTORY "${root}/bin")
  message(FATAL_ERROR "BundleLayout: no staged install tree at ${root}")
endif()
file(RENAME "${root}/lib/pipehost/plugins" "${root}/plugins")
file(REMOVE_RECURSE "${root}/lib/pipehost")
file(RENAME "${root}/share/pipehost/examples" "${root}/examples")
file(RENAME "${root}/share/doc/pipehost" "${root}/docs")
file(REMOVE_RECURSE "${root}/share")
file(COPY_FILE "${CMAKE_CURRENT_LIST_DIR}/bundle-README.md" "${root}/README.md")
