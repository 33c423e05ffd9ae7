/* stdin_echo: reads all of stdin with read(), prints the byte count and a checksum,
   then echoes the input uppercased. Fed assets/process/stdin_echo.input by tests. */
#include <stdint.h>
#include <stdio.h>

#include "vmscope_process.h"

static char input[65536];

int main(void)
{
    size_t len = 0;
    for (;;) {
        /* small reads on purpose: exercise many read() calls */
        size_t want = sizeof input - len;
        if (want > 100)
            want = 100;
        if (want == 0)
            break;
        long r = vm_sys_read(0, input + len, want);
        if (r < 0) {
            printf("FAIL: read() returned %ld\n", r);
            return 1;
        }
        if (r == 0)
            break;
        len += (size_t)r;
    }
    uint32_t sum = 0;
    for (size_t i = 0; i < len; i++)
        sum = (sum << 5 | sum >> 27) ^ (uint8_t)input[i];
    printf("read %lu bytes, checksum %08lx\n", (unsigned long)len, (unsigned long)sum);
    for (size_t i = 0; i < len; i++) {
        char c = input[i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        putchar(c);
    }
    if (len == 0 || input[len - 1] != '\n')
        putchar('\n');
    return len > 0 ? 0 : 1;
}
