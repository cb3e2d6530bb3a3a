#ifndef SINTRA_COPENSSL_SHIM_H
#define SINTRA_COPENSSL_SHIM_H
#include <openssl/evp.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/err.h>
#include <openssl/core_names.h>
#include <openssl/params.h>

/* OPENSSL_cleanse is a function-like macro in some builds; Swift cannot call macros. */
static inline void sintra_cleanse(void *pointer, size_t length) { OPENSSL_cleanse(pointer, length); }
#endif
