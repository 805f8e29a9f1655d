# Every third-party library comes from Debian 12 (SQLCipher from bookworm-backports).
# installer/install-deps.sh installs exactly these.
find_package(PkgConfig REQUIRED)

# SQLCipher 4.x only; never plain libsqlite3 (the store must be encrypted). Its pkg-config file
# reports the SQLite version it embeds: 3.46.1 for SQLCipher 4.6.1 (bookworm-backports), 3.15.2 for
# the 3.4.1 in bookworm itself. The running library is checked again at open (PRAGMA cipher_version).
pkg_check_modules(SQLCIPHER IMPORTED_TARGET sqlcipher>=3.44)
if(NOT SQLCIPHER_FOUND)
  message(FATAL_ERROR "SQLCipher 4.6 (libsqlcipher-dev from Debian bookworm-backports) is required; "
                      "run installer/install-deps.sh as root")
endif()
pkg_check_modules(CRYPTOPP REQUIRED IMPORTED_TARGET libcrypto++>=8.7)
# The chain registry's client: libpq, PostgreSQL's own C library (libpq-dev). libpqxx would add a
# C++ layer over it; the client needs a dozen parameterised statements, so libpq alone.
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq>=15)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(spdlog REQUIRED)
find_package(fmt REQUIRED)
find_package(CLI11 REQUIRED)
find_package(OpenCV 4.6 REQUIRED COMPONENTS core imgproc imgcodecs features2d calib3d img_hash objdetect freetype)
pkg_check_modules(TESSERACT REQUIRED IMPORTED_TARGET tesseract>=5.0 lept)
# Package codes in photos: Code 128 (ZBar) and Data Matrix (libdmtx).
pkg_check_modules(ZBAR REQUIRED IMPORTED_TARGET zbar)
pkg_check_modules(DMTX REQUIRED IMPORTED_TARGET libdmtx)
# Sales vouchers: Pango lays out CJK text on a cairo PDF surface (fonts embedded as subsets).
pkg_check_modules(PANGOCAIRO REQUIRED IMPORTED_TARGET pangocairo cairo-pdf)
if(RXDESK_BUILD_GUI)
  find_package(wxWidgets 3.2 REQUIRED COMPONENTS core base)
  find_program(MSGFMT_EXECUTABLE msgfmt REQUIRED)
endif()
if(RXDESK_BUILD_TESTS)
  find_package(GTest REQUIRED)
  # Draws the barcodes the package-code tests read (libzint has no pkg-config file).
  find_library(ZINT_LIBRARY zint REQUIRED)
  find_path(ZINT_INCLUDE_DIR zint.h REQUIRED)
endif()
if(RXDESK_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
find_package(Threads REQUIRED)
