/* printf-style formatting into a bounded buffer, for the kernel (no floating point). */
#ifndef ATOLL_FORMAT_H
#define ATOLL_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

/*
 * C snprintf semantics: writes at most size bytes including the NUL (always NUL-terminates
 * when size > 0) and returns the length the full output would have had, or -1 if that
 * exceeds INT_MAX. Supports %d %i %u %x %X %o %c %s %p %% with the flags - 0 + space #,
 * width and precision (also *), and the length modifiers hh h l ll z t j. %s of NULL prints
 * "(null)" and %p of NULL prints "(nil)", as glibc does. Any other conversion (%f, %n, ...)
 * is copied to the output literally and consumes no argument.
 */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
