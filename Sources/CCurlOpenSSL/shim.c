// Shims for libcurl and OpenSSL calls that Swift cannot make itself. Each exists because the C
// function is variadic, a macro, or must run exactly once; none holds any logic beyond that.
#include "CCurlOpenSSL.h"

#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <pthread.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

_Static_assert(sizeof(SHA256_CTX) <= sizeof(tc_sha256_ctx), "tc_sha256_ctx is too small for SHA256_CTX");

static pthread_once_t tc_init_once = PTHREAD_ONCE_INIT;
static CURLcode tc_init_result = CURLE_OK;

static void tc_do_global_init(void) {
    // CURL_GLOBAL_DEFAULT is a macro; curl_global_init is not thread-safe and must run once.
    tc_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

CURLcode tc_global_init(void) {
    pthread_once(&tc_init_once, tc_do_global_init);
    return tc_init_result;
}

CURLcode tc_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

CURLcode tc_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

CURLcode tc_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

CURLcode tc_easy_setopt_offset(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

CURLcode tc_easy_setopt_callback(CURL *handle, CURLoption option, tc_data_callback callback) {
    return curl_easy_setopt(handle, option, callback);
}

CURLcode tc_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

size_t tc_error_buffer_size(void) {
    return CURL_ERROR_SIZE;
}

// Swift hands NULL for empty buffers; OpenSSL wants a valid pointer even for zero bytes.
static const unsigned char tc_empty_input[1] = {0};

int tc_sha256(const void *data, size_t length, uint8_t *out) {
    unsigned int out_length = 0;
    if (data == NULL) data = tc_empty_input;
    // EVP_Digest is the non-deprecated one-shot in OpenSSL 3.
    return EVP_Digest(data, length, out, &out_length, EVP_sha256(), NULL) == 1 && out_length == 32;
}

int tc_hmac_sha256(const void *key, size_t key_length, const void *data, size_t length, uint8_t *out) {
    unsigned int out_length = 0;
    if (key == NULL) key = tc_empty_input;
    if (data == NULL) data = tc_empty_input;
    unsigned char *result = HMAC(EVP_sha256(), key, (int)key_length, data, length, out, &out_length);
    return result != NULL && out_length == 32;
}

void tc_sha256_init(tc_sha256_ctx *context) {
    SHA256_Init((SHA256_CTX *)context);
}

void tc_sha256_update(tc_sha256_ctx *context, const void *data, size_t length) {
    if (length > 0) SHA256_Update((SHA256_CTX *)context, data, length);
}

void tc_sha256_final(tc_sha256_ctx *context, uint8_t *out) {
    SHA256_Final(out, (SHA256_CTX *)context);
}
