# Read by cpack once per generator (CPACK_PROJECT_CONFIG_FILE): the tarball unpacks to one folder,
# pipehost-<version>/, laid out to run where it is (see cmake/Packaging.cmake).
if(CPACK_GENERATOR STREQUAL "TGZ")
  set(CPACK_INCLUDE_TOPLEVEL_DIRECTORY OFF)
  set(CPACK_PACKAGING_INSTALL_PREFIX "/pipehost-${CPACK_PACKAGE_VERSION}")
  set(CPACK_PRE_BUILD_SCRIPTS "${CMAKE_CURRENT_LIST_DIR}/BundleLayout.cmake")
endif()
