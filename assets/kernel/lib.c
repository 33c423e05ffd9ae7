/* Freestanding helpers shared by the kernel and its user programs (see lib.h).
   The compiler may call memset/memcpy itself, so these are the real definitions. */
#include "lib.h"

void *memset(void *dst, int c, size_t n) {
  unsigned char *d = dst;
  while (n--) *d++ = (unsigned char)c;
  return dst;
}

void *memcpy(void *dst, const void *src, size_t n) {
  unsigned char *d = dst;
  const unsigned char *s = src;
  while (n--) *d++ = *s++;
  return dst;
}

size_t strlen(const char *s) {
  size_t n = 0;
  while (s[n]) n++;
  return n;
}

/* Formats into buf (always NUL-terminated when size > 0); returns the length written. */
int vfmt(char *buf, int size, const char *fmt, va_list ap) {
  int n = 0;
#define PUT(ch) do { if (n < size - 1) buf[n] = (ch); n++; } while (0)
  for (; *fmt; fmt++) {
    if (*fmt != '%') { PUT(*fmt); continue; }
    char pad = ' ';
    int width = 0;
    if (*++fmt == '\0') break;
    if (*fmt == '0') { pad = '0'; fmt++; }
    while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
    char tmp[12];
    int len = 0, neg = 0;
    const char *str = tmp;
    uint32_t v;
    switch (*fmt) {
      case 'd': {
        int32_t i = va_arg(ap, int32_t);
        neg = i < 0;
        v = neg ? 0u - (uint32_t)i : (uint32_t)i;
        do { tmp[11 - len++] = (char)('0' + v % 10); v /= 10; } while (v);
        str = tmp + 12 - len;
        break;
      }
      case 'u': case 'x':
        v = va_arg(ap, uint32_t);
        do {
          uint32_t base = *fmt == 'x' ? 16 : 10, digit = v % base;
          tmp[11 - len++] = (char)(digit < 10 ? '0' + digit : 'a' + digit - 10);
          v /= base;
        } while (v);
        str = tmp + 12 - len;
        break;
      case 's': str = va_arg(ap, const char *); len = (int)strlen(str); break;
      case 'c': tmp[0] = (char)va_arg(ap, int); len = 1; break;
      default: tmp[0] = *fmt; len = 1; break;  /* "%%" and unknown conversions */
    }
    if (neg && pad == '0') PUT('-');
    for (int i = len + neg; i < width; i++) PUT(pad);
    if (neg && pad != '0') PUT('-');
    for (int i = 0; i < len; i++) PUT(str[i]);
  }
#undef PUT
  if (size > 0) buf[n < size ? n : size - 1] = '\0';
  return n < size ? n : size - 1;
}

int fmt(char *buf, int size, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vfmt(buf, size, fmt, ap);
  va_end(ap);
  return n;
}
