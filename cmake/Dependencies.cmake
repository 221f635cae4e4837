# Finds every external dependency (all Debian 12 packages; see DESIGN.md).
find_package(Threads REQUIRED)
set(Boost_NO_WARN_NEW_VERSIONS ON)  # CMake 3.25 predates Boost 1.81
find_package(Boost 1.81 EXACT REQUIRED COMPONENTS json)
find_package(OpenSSL 3 REQUIRED)
find_package(fmt REQUIRED)
find_package(PkgConfig REQUIRED)
# libunbound.pc names libevent as a requirement; link the library directly.
find_library(UNBOUND_LIB unbound REQUIRED)
add_library(PkgConfig::UNBOUND INTERFACE IMPORTED)
target_link_libraries(PkgConfig::UNBOUND INTERFACE ${UNBOUND_LIB})
pkg_check_modules(NGHTTP2 REQUIRED IMPORTED_TARGET libnghttp2)
pkg_check_modules(PUGIXML IMPORTED_TARGET pugixml)
pkg_check_modules(OPENDKIM REQUIRED IMPORTED_TARGET opendkim)  # src/dkim (SPEC §19)
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis)  # src/cluster (SPEC §18)
# prometheus-cpp: only its core (registry, counters, gauges, histograms, text
# serializer). Its CMake config also finds civetweb, zlib and curl for the
# pull/push libraries we do not use, so link the core through its .pc file.
pkg_check_modules(PROMETHEUS_CORE REQUIRED IMPORTED_TARGET prometheus-cpp-core)
find_library(ROCKSDB_LIB rocksdb REQUIRED)
add_library(PkgConfig::ROCKSDB INTERFACE IMPORTED)
target_link_libraries(PkgConfig::ROCKSDB INTERFACE ${ROCKSDB_LIB})

# Asio as one interface target with a precompiled header, so only the
# libraries that need it pay for it.
add_library(impulse_asio INTERFACE)
target_link_libraries(impulse_asio INTERFACE Boost::headers Threads::Threads)
target_compile_definitions(impulse_asio INTERFACE BOOST_ASIO_DISABLE_BOOST_COROUTINE)
