// The one C module of triaged: thin shims over libcurl and OpenSSL for what Swift cannot call
// directly (variadic functions, function-like macros, once-only initialisation). No logic lives here.
#ifndef TRIAGED_CCURLOPENSSL_H
#define TRIAGED_CCURLOPENSSL_H

#include <stddef.h>
#include <stdint.h>
#include <curl/curl.h>

/// Signature of the libcurl write and header callbacks.
typedef size_t (*tc_data_callback)(char *data, size_t size, size_t count, void *context);

/// curl_global_init(CURL_GLOBAL_DEFAULT) exactly once per process (pthread_once); returns its result.
CURLcode tc_global_init(void);

/// curl_easy_setopt is variadic, so Swift cannot call it: one typed shim per argument kind.
CURLcode tc_easy_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode tc_easy_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode tc_easy_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode tc_easy_setopt_offset(CURL *handle, CURLoption option, curl_off_t value);
CURLcode tc_easy_setopt_callback(CURL *handle, CURLoption option, tc_data_callback callback);

/// curl_easy_getinfo is variadic as well.
CURLcode tc_easy_getinfo_long(CURL *handle, CURLINFO info, long *value);

/// CURL_ERROR_SIZE is a macro; Swift sizes the error buffer from this.
size_t tc_error_buffer_size(void);

/// OpenSSL one-shots. `out` must hold 32 bytes. Return 1 on success, 0 on failure.
int tc_sha256(const void *data, size_t length, uint8_t *out);
int tc_hmac_sha256(const void *key, size_t key_length, const void *data, size_t length, uint8_t *out);

/// Streaming SHA-256 over OpenSSL's direct implementation (SHA256_Init/Update/Final), which skips
/// the per-call algorithm fetch of OpenSSL 3's EVP one-shots; Swift cannot call the deprecated
/// names without warnings. The context is opaque storage large enough for SHA256_CTX.
typedef struct { uint64_t storage[16]; } tc_sha256_ctx;
void tc_sha256_init(tc_sha256_ctx *context);
void tc_sha256_update(tc_sha256_ctx *context, const void *data, size_t length);
void tc_sha256_final(tc_sha256_ctx *context, uint8_t *out);

#endif
