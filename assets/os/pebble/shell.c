/* Pebble's shell: reads a line (echoing each byte as it takes it, so that what it prints does
   not depend on when the bytes arrived), splits off the command, runs it. */
#include "pebble.h"

static char line[128];
static char file[8 * 512 + 1];

static void read_line(void)
{
    uint32_t n = 0;
    int last = 0;
    for (;;) {
        int c = getc();
        if (c == '\n' && last == '\r') { /* a terminal's CR LF: one end of line */
            last = 0;
            continue;
        }
        last = c;
        if (c == '\r' || c == '\n') {
            putc('\n');
            break;
        }
        if (c == 0x7f || c == '\b') {
            if (n > 0) {
                n--;
                puts("\b \b");
            }
            continue;
        }
        if (c >= ' ' && n < sizeof line - 1) {
            line[n++] = (char)c;
            putc((char)c);
        }
    }
    line[n] = 0;
}

/* Splits "word rest" in place: returns rest ("" if none). */
static char *split(char *s)
{
    while (*s && *s != ' ')
        s++;
    if (!*s)
        return s;
    *s++ = 0;
    while (*s == ' ')
        s++;
    return s;
}

static void help(void)
{
    puts("commands:\n"
         "  ls                list the files on the disk\n"
         "  cat FILE          print a file\n"
         "  write FILE TEXT   save TEXT as FILE (on the disk)\n"
         "  rm FILE           remove a file\n"
         "  echo TEXT         print TEXT\n"
         "  info              what the kernel found at boot\n"
         "  stats             timer ticks and device interrupts so far\n"
         "  poweroff          stop the machine\n");
}

void shell(void)
{
    puts("pebble: type 'help' for the commands\n");
    for (;;) {
        puts("$ ");
        read_line();
        char *args = split(line);
        if (!line[0]) {
            continue;
        } else if (str_eq(line, "help")) {
            help();
        } else if (str_eq(line, "ls")) {
            fs_list();
        } else if (str_eq(line, "cat")) {
            int n = fs_read(args, file, sizeof file - 1);
            if (n < 0) {
                printf("cat: no file '%s'\n", args);
            } else {
                file[n] = 0;
                puts(file);
                if (n > 0 && file[n - 1] != '\n')
                    putc('\n');
            }
        } else if (str_eq(line, "write")) {
            char *text = split(args);
            uint32_t len = (uint32_t)str_len(text);
            text[len++] = '\n';
            if (!args[0] || !fs_write(args, text, len))
                puts("write: usage: write FILE TEXT (a name under 24 bytes, a free directory slot)\n");
            else
                printf("write: %u bytes to %s\n", len, args);
        } else if (str_eq(line, "rm")) {
            if (!fs_remove(args))
                printf("rm: no file '%s'\n", args);
        } else if (str_eq(line, "echo")) {
            printf("%s\n", args);
        } else if (str_eq(line, "info")) {
            printf("disk: %u sectors of 512 bytes; the PLIC sends the UART (source %u) and the disk (source %u) "
                   "to S-mode\n", disk_sectors(), UART0_IRQ, VIRTIO0_IRQ);
        } else if (str_eq(line, "stats")) {
            printf("%u timer ticks, %u UART interrupts, %u disk interrupts\n", ticks, uart_interrupts, disk_interrupts);
        } else if (str_eq(line, "poweroff")) {
            puts("pebble: powering off\n");
            power_off();
        } else {
            printf("%s: unknown command (try 'help')\n", line);
        }
    }
}
