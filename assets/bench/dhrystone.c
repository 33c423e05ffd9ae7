/* dhrystone benchmark: a Dhrystone-like integer mix (records linked by pointers, enums,
   string copies and compares, procedure calls with reference parameters, 1-D and 2-D
   arrays), LOOPS iterations; checks the final state (reference: host build). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#ifndef LOOPS
#define LOOPS 1000000
#endif
#define EXPECTED 0x552b38eau /* host gcc -O0 and -O2 build of this file, LOOPS = 1000000 */

#define NOINLINE __attribute__((noinline))

typedef enum { IDENT_1, IDENT_2, IDENT_3, IDENT_4, IDENT_5 } enumeration;

typedef struct record {
    struct record *next;
    enumeration discr;
    enumeration enum_comp;
    int32_t int_comp;
    char str_comp[31];
} record;

static record rec_a, rec_b;
static record *glob_ptr;
static int32_t int_glob;
static int bool_glob;
static char ch_1_glob, ch_2_glob;
static int32_t arr_1_glob[50];
static int32_t arr_2_glob[50][50];

static NOINLINE int func_3(enumeration e)
{
    return e == IDENT_3;
}

static NOINLINE enumeration func_1(char c1, char c2)
{
    char c = c1;
    if (c != c2)
        return IDENT_1;
    ch_1_glob = c;
    return IDENT_2;
}

static NOINLINE int func_2(const char *s1, const char *s2)
{
    int32_t i = 2;
    char c = 'A';
    while (i <= 2)
        if (func_1(s1[i], s2[i + 1]) == IDENT_1) {
            c = 'A';
            i += 1;
        }
    if (c >= 'W' && c < 'Z')
        i = 7;
    if (c == 'R')
        return 1;
    if (strcmp(s1, s2) > 0) {
        i += 7;
        int_glob = i;
        return 1;
    }
    return 0;
}

static NOINLINE void proc_7(int32_t a, int32_t b, int32_t *out)
{
    *out = b + a + 2;
}

static NOINLINE void proc_6(enumeration in, enumeration *out)
{
    *out = in;
    if (!func_3(in))
        *out = IDENT_4;
    switch (in) {
    case IDENT_1: *out = IDENT_1; break;
    case IDENT_2: *out = int_glob > 100 ? IDENT_1 : IDENT_4; break;
    case IDENT_3: *out = IDENT_2; break;
    case IDENT_4: break;
    case IDENT_5: *out = IDENT_3; break;
    }
}

static NOINLINE void proc_8(int32_t *arr1, int32_t arr2[50][50], int32_t a, int32_t b)
{
    int32_t loc = a + 5;
    arr1[loc] = b;
    arr1[loc + 1] = arr1[loc];
    arr1[loc + 30] = loc;
    for (int32_t i = loc; i <= loc + 1; i++)
        arr2[loc][i] = loc;
    arr2[loc][loc - 1] += 1;
    arr2[loc + 20][loc] = arr1[loc];
    int_glob = 5;
}

static NOINLINE void proc_3(record **out)
{
    if (glob_ptr)
        *out = glob_ptr->next;
    proc_7(10, int_glob, &glob_ptr->int_comp);
}

static NOINLINE void proc_1(record *p)
{
    record *next = p->next;
    *p->next = *glob_ptr;
    p->int_comp = 5;
    next->int_comp = p->int_comp;
    next->next = p->next;
    proc_3(&next->next);
    if (next->discr == IDENT_1) {
        next->int_comp = 6;
        proc_6(p->enum_comp, &next->enum_comp);
        next->next = glob_ptr->next;
        proc_7(next->int_comp, 10, &next->int_comp);
    } else {
        *p = *p->next;
    }
}

static NOINLINE void proc_2(int32_t *io)
{
    int32_t loc = *io + 10;
    enumeration e = IDENT_2;
    for (;;) {
        if (ch_1_glob == 'A') {
            loc -= 1;
            *io = loc - int_glob;
            e = IDENT_1;
        }
        if (e == IDENT_1)
            break;
    }
}

static NOINLINE void proc_4(void)
{
    int b = ch_1_glob == 'A';
    bool_glob = b | bool_glob;
    ch_2_glob = 'B';
}

static NOINLINE void proc_5(void)
{
    ch_1_glob = 'A';
    bool_glob = 0;
}

int main(void)
{
    char str_1[31], str_2[31];
    int32_t int_1 = 0, int_2 = 0, int_3 = 0;
    enumeration enum_loc = IDENT_1;
    uint32_t mix = 0;

    glob_ptr = &rec_a;
    rec_a.next = &rec_b;
    rec_a.discr = IDENT_1;
    rec_a.enum_comp = IDENT_3;
    rec_a.int_comp = 40;
    strcpy(rec_a.str_comp, "VMSCOPE MIX PROGRAM, SOME STR");
    strcpy(str_1, "VMSCOPE MIX PROGRAM, 1'ST STR");
    arr_2_glob[8][7] = 10;

    for (int32_t run = 1; run <= LOOPS; run++) {
        proc_5();
        proc_4();
        int_1 = 2;
        int_2 = 3;
        strcpy(str_2, "VMSCOPE MIX PROGRAM, 2'ND STR");
        enum_loc = IDENT_2;
        bool_glob = !func_2(str_1, str_2);
        while (int_1 < int_2) {
            int_3 = 5 * int_1 - int_2;
            proc_7(int_1, int_2, &int_3);
            int_1 += 1;
        }
        proc_8(arr_1_glob, arr_2_glob, int_1, int_3);
        proc_1(glob_ptr);
        for (char c = 'A'; c <= ch_2_glob; c++)
            if (enum_loc == func_1(c, 'C')) {
                proc_6(IDENT_1, &enum_loc);
                strcpy(str_2, "VMSCOPE MIX PROGRAM, 3'RD STR");
                int_2 = run;
                int_glob = run;
            }
        int_2 = int_2 * int_1;
        int_1 = int_2 / int_3;
        int_2 = 7 * (int_2 - int_3) - int_1;
        proc_2(&int_1);
        mix = mix * 31u + (uint32_t)(int_1 + int_2 + int_3 + int_glob) + (uint32_t)str_2[24];
    }

    /* final state, folded into one checksum */
    uint32_t sum = mix;
    sum = sum * 31u + (uint32_t)int_glob;
    sum = sum * 31u + (uint32_t)bool_glob;
    sum = sum * 31u + (uint32_t)ch_1_glob + (uint32_t)ch_2_glob * 256u;
    sum = sum * 31u + (uint32_t)arr_1_glob[8] + (uint32_t)arr_2_glob[8][7];
    sum = sum * 31u + (uint32_t)glob_ptr->discr + (uint32_t)glob_ptr->enum_comp * 8u;
    sum = sum * 31u + (uint32_t)glob_ptr->int_comp;
    sum = sum * 31u + (uint32_t)rec_b.discr + (uint32_t)rec_b.enum_comp * 8u + (uint32_t)rec_b.int_comp;
    sum = sum * 31u + (uint32_t)(int_1 + int_2 * 3 + int_3 * 5) + (uint32_t)enum_loc;
    for (int i = 0; i < 31 && str_2[i]; i++)
        sum = sum * 31u + (uint8_t)str_2[i];
    /* invariants of the original benchmark's final state */
    int ok = int_glob == 5 && bool_glob == 1 && ch_1_glob == 'A' && ch_2_glob == 'B' &&
             arr_1_glob[8] == 7 && arr_2_glob[8][7] == LOOPS + 10 && int_1 == 5 &&
             int_2 == 13 && int_3 == 7 && enum_loc == IDENT_2 && sum == EXPECTED;
    printf("dhrystone: %d loops, state checksum 0x%08lx: %s\n", LOOPS, (unsigned long)sum,
           ok ? "ok" : "MISMATCH");
    return ok ? 0 : 1;
}
