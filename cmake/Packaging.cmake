# Install layout of everything but the plugins and the SDK (which install themselves), and CPack:
# `make package` makes a .tar.gz to unpack and run anywhere and a .deb, from a Release tree.
#
#   installed (.deb: prefix /usr)          unpacked .tar.gz (pipehost-<version>/)
#   bin/pipehost, bin/pipehost-emulator    bin/pipehost, bin/pipehost-emulator
#   lib/pipehost/plugins/*.so              plugins/*.so
#   include/pipehost/, lib/cmake/          include/pipehost/, lib/cmake/
#   share/pipehost/examples/               examples/
#   share/doc/pipehost/                    docs/
#
# pipehost finds its plugins next to itself in both (host/cli/plugin_folders.hpp). The tarball is
# the install tree rearranged by cmake/BundleLayout.cmake (a CPack pre-build script), so the two
# cannot drift apart.

# The examples run from where they land: their run.json refer to files next to them.
foreach(example songs json-sink songs-openai songs-anthropic echo-provider)
  install(DIRECTORY "${PROJECT_SOURCE_DIR}/examples/${example}"
          DESTINATION "${CMAKE_INSTALL_DATADIR}/pipehost/examples" COMPONENT examples
          PATTERN "out" EXCLUDE PATTERN ".pipehost" EXCLUDE)
endforeach()
install(FILES "${PROJECT_SOURCE_DIR}/README.md" "${PROJECT_SOURCE_DIR}/docs/user-guide.md"
              "${PROJECT_SOURCE_DIR}/docs/config-reference.md" "${PROJECT_SOURCE_DIR}/docs/plugin-authoring.md"
        DESTINATION "${CMAKE_INSTALL_DOCDIR}" COMPONENT docs)

set(CPACK_PACKAGE_NAME pipehost)
set(CPACK_PACKAGE_VENDOR pipehost)
set(CPACK_PACKAGE_CONTACT "pipehost developers <dev@pipehost.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_DESCRIPTION
    "pipehost runs a language model over every row of a dataset (CSV, JSON Lines) through stage plugins, "
    "resumably: batch jobs at the Gemini Batch API, answers parsed into columns, every call logged.")
set(CPACK_GENERATOR "TGZ;DEB")
set(CPACK_STRIP_FILES ON)
set(CPACK_OUTPUT_FILE_PREFIX "${PROJECT_BINARY_DIR}/packages")
set(CPACK_PACKAGE_FILE_NAME "pipehost-${PROJECT_VERSION}-${CMAKE_SYSTEM_NAME}-${CMAKE_SYSTEM_PROCESSOR}")
# Per-generator settings (the tarball's top folder and layout), read by cpack for each generator.
set(CPACK_PROJECT_CONFIG_FILE "${PROJECT_SOURCE_DIR}/cmake/CPackLayout.cmake")

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
# Depends: dpkg-shlibdeps over every binary and plugin names the runtime libraries' packages.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The system CAs, for TLS to the real services.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS ca-certificates)

include(CPack)
