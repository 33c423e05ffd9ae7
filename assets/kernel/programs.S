/* The teaching kernel's user programs, each a complete ELF file (built from user/) embedded
   in the kernel's read-only data; kernel.c loads one copy into every process. */
#define STR(x) #x
#define PROGRAM(name)                                    \
    .section .rodata.user_##name, "a", @progbits;       \
    .balign 4;                                           \
    .globl user_##name, user_##name##_end;               \
user_##name: .incbin STR(name.elf);                      \
user_##name##_end:

PROGRAM(primes)
PROGRAM(heapsum)
PROGRAM(sleeper)
PROGRAM(spinner)
PROGRAM(crasher)
