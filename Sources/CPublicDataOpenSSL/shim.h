// OpenSSL 3 libcrypto (Debian libssl-dev, Homebrew openssl@3): EVP digests, EVP_PKEY signatures, PEM.
#define OPENSSL_API_COMPAT 30000
#define OPENSSL_NO_DEPRECATED 1
#if __has_include(<openssl/evp.h>)
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#elif __has_include("/opt/homebrew/opt/openssl@3/include/openssl/evp.h")
#include "/opt/homebrew/opt/openssl@3/include/openssl/evp.h"
#include "/opt/homebrew/opt/openssl@3/include/openssl/pem.h"
#include "/opt/homebrew/opt/openssl@3/include/openssl/err.h"
#include "/opt/homebrew/opt/openssl@3/include/openssl/x509.h"
#else
#error "openssl/evp.h not found: install OpenSSL 3 (Debian: apt-get install libssl-dev; macOS: brew install openssl@3)"
#endif
