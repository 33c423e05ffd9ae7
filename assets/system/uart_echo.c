/* uart_echo: prints a prompt, reads bytes from the 16550 UART by polling LSR.DR until
   a newline, and echoes the line reversed. Fed assets/system/uart_echo.input by tests. */
#include "vmscope_system.h"

int main(void)
{
    static char line[256];
    unsigned len = 0;
    uart_puts("uart_echo: type a line> ");
    for (;;) {
        int c = uart_getc();
        if (c == '\n' || c == '\r')
            break;
        if (len < sizeof line)
            line[len++] = (char)c;
    }
    uart_puts("\nreversed: ");
    for (unsigned i = len; i > 0; i--)
        uart_putc(line[i - 1]);
    kprintf("\nuart_echo: %u bytes\n", len);
    return len > 0 ? 0 : 1;
}
