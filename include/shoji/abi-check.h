/*
 * shoji/abi-check.h - compile-time checks of the Xen x86-64 ABI layouts.
 *
 * SHOJI_ABI_CHECK(cond, msg) is a declaration that fails to compile when
 * cond is false.  It works at file or block scope in C99, C11 and C++11,
 * and stays quiet under -pedantic:
 *   - C++11 and later: static_assert;
 *   - C11 and later: _Static_assert;
 *   - C99 with GNU compilers: _Static_assert behind __extension__;
 *   - anything else: an extern array whose size turns negative on failure
 *     (repeating the same extern declaration is legal, so no unique names
 *     are needed).
 *
 * SHOJI_ABI_SIZE(type, n) and SHOJI_ABI_OFFSET(type, field, n) are the two
 * checks the ABI headers use.
 */
#ifndef SHOJI_ABI_CHECK_H
#define SHOJI_ABI_CHECK_H

#ifndef __ASSEMBLY__

#include <stddef.h>

#ifndef __x86_64__
#error "Shoji's Xen ABI headers describe the x86-64 ABI only"
#endif

#if defined(__cplusplus) && __cplusplus >= 201103L
#define SHOJI_ABI_CHECK(cond, msg) static_assert(cond, msg)
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define SHOJI_ABI_CHECK(cond, msg) _Static_assert(cond, msg)
#elif defined(__GNUC__) && !defined(__cplusplus)
#define SHOJI_ABI_CHECK(cond, msg) __extension__ _Static_assert(cond, msg)
#else
#define SHOJI_ABI_CHECK(cond, msg) extern char shoji_abi_check_failed[(cond) ? 1 : -1]
#endif

#define SHOJI_ABI_SIZE(type, n) SHOJI_ABI_CHECK(sizeof(type) == (n), "sizeof(" #type ") != " #n)
#define SHOJI_ABI_OFFSET(type, field, n)                                                           \
	SHOJI_ABI_CHECK(offsetof(type, field) == (n), "offsetof(" #type ", " #field ") != " #n)

#endif /* !__ASSEMBLY__ */

#endif /* SHOJI_ABI_CHECK_H */
