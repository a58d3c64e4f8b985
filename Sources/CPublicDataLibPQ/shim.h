// libpq's client header. pkg-config (`libpq`) normally supplies the include path; the fallbacks cover
// Debian/Ubuntu (/usr/include/postgresql) and Homebrew installs where pkg-config is not configured.
#if __has_include(<libpq-fe.h>)
#include <libpq-fe.h>
#elif __has_include(<postgresql/libpq-fe.h>)
#include <postgresql/libpq-fe.h>
#elif __has_include("/opt/homebrew/opt/libpq/include/libpq-fe.h")
#include "/opt/homebrew/opt/libpq/include/libpq-fe.h"
#elif __has_include("/usr/local/opt/libpq/include/libpq-fe.h")
#include "/usr/local/opt/libpq/include/libpq-fe.h"
#else
#error "libpq-fe.h not found: install libpq (Debian: apt-get install libpq-dev; macOS: brew install libpq)"
#endif
