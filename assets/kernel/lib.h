/* Freestanding helpers shared by the kernel and its user programs: memory and string
   functions and a small formatter (%d %u %x %s %c, width and zero padding). */
#ifndef VMSCOPE_KERNEL_LIB_H
#define VMSCOPE_KERNEL_LIB_H
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
size_t strlen(const char *s);
int vfmt(char *buf, int size, const char *fmt, va_list ap);
int fmt(char *buf, int size, const char *fmt, ...);

#endif
