/* Spike's HTIF beyond exit codes: characters through the console device (device 1, command 1,
   as QEMU's spike machine prints them), a write and an exit proxied to the host as system calls
   (device 0, an even payload: the address of the call's number and arguments; Spike's front end
   and vmscope carry them out; QEMU does not). Built twice: -DPROXY uses the system calls. */
#include <stdint.h>

volatile uint64_t tohost __attribute__((section(".tohost"), aligned(64)));
volatile uint64_t fromhost __attribute__((section(".tohost"), aligned(64)));

static void htif_command(uint64_t command)
{
    tohost = command;           /* the lower half first, then the upper half: the command */
    while (fromhost == 0) {}    /* the host's acknowledgement */
    fromhost = 0;
}

static void put_char(char c) { htif_command((uint64_t)1 << 56 | (uint64_t)1 << 48 | (uint8_t)c); }

static void put_string(const char *s)
{
    while (*s) put_char(*s++);
}

#ifdef PROXY
static volatile uint64_t magic[8] __attribute__((aligned(64)));

static int64_t host_call(uint64_t number, uint64_t a0, uint64_t a1, uint64_t a2)
{
    magic[0] = number;
    magic[1] = a0;
    magic[2] = a1;
    magic[3] = a2;
    htif_command((uint64_t)(uintptr_t)magic);
    return (int64_t)magic[0];
}
#endif

void main_c(void)
{
    put_string("hello from the console device, one character per command\n");
#ifdef PROXY
    static const char line[] = "and a whole line through a proxied write\n";
    int64_t written = host_call(64, 1, (uintptr_t)line, sizeof line - 1);
    int64_t bad_fd = host_call(64, 7, (uintptr_t)line, 1);
    int64_t unknown = host_call(1234, 0, 0, 0);
    put_string(written == (int64_t)(sizeof line - 1) && bad_fd == -9 && unknown == -38 ? "results as expected\n"
                                                                                       : "WRONG results\n");
    host_call(93, 5, 0, 0);  /* exit(5) */
#else
    tohost = (5 << 1) | 1;   /* exit code 5 */
#endif
    for (;;) {}
}

__attribute__((naked, section(".text.init"))) void _start(void)
{
    __asm__ volatile("la sp, _stack_top\n j main_c");
}
