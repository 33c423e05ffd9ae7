/* hello: formatted output through picolibc printf (ints, negatives, hex, padding,
   strings, chars, long long, %f of a double) and checks snprintf's results. */
#include <stdio.h>
#include <string.h>

#define VM_PRINTF printf
#include "vmscope_check.h"

VM_CHECK_STORAGE;

static void check_fmt(const char *want, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#include <stdarg.h>
static void check_fmt(const char *want, const char *fmt, ...)
{
    char buf[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    vm_checks++;
    if (strcmp(buf, want) != 0) {
        vm_failures++;
        printf("FAIL: format \"%s\": got \"%s\", want \"%s\"\n", fmt, buf, want);
    }
}

int main(void)
{
    volatile int neg = -42;
    volatile unsigned hex = 0xdeadbeefu;
    volatile long long big = -1234567890123456789LL;
    volatile double pi = 3.14159265358979;
    volatile char ch = 'Z';

    printf("Hello, vmscope!\n");
    printf("int %d, negative %d, unsigned %u\n", 12345, neg, 4000000000u);
    printf("hex %x / %X / %#010x\n", hex, hex, 0x1234u);
    printf("padding [%5d] [%-5d] [%05d]\n", 42, 42, 42);
    printf("string [%s] [%8s] [%-8s] [%.3s]\n", "rv32", "imac", "left", "truncate");
    printf("char %c%c%c\n", ch, 'e', 's');
    printf("long long %lld, unsigned %llu\n", big, 18446744073709551615ull);
    printf("double %f, %.2f, %e\n", pi, -pi * 100.0, 6.02214076e23);

    check_fmt("12345 -42", "%d %d", 12345, -42);
    check_fmt("deadbeef DEADBEEF 0x00001234", "%x %X %#010x", 0xdeadbeefu, 0xdeadbeefu, 0x1234u);
    check_fmt("[   42] [42   ] [00042]", "[%5d] [%-5d] [%05d]", 42, 42, 42);
    check_fmt("[    imac] [trunc]", "[%8s] [%.5s]", "imac", "truncate");
    check_fmt("-1234567890123456789", "%lld", -1234567890123456789LL);
    check_fmt("18446744073709551615", "%llu", 18446744073709551615ull);
    check_fmt("3.141593 -314.16", "%f %.2f", 3.14159265358979, -314.159265358979);
    check_fmt("-2147483648 2147483647", "%d %d", (int)0x80000000u, 0x7fffffff);
    check_fmt("%", "%%");

    return VM_FINISH("hello");
}
