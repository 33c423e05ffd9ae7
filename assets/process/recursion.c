/* recursion: deep call chains and stack use: recursive fib, Ackermann, towers of
   Hanoi, mutual recursion, and a recursion with large frames; built with -march=rv32im. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define VM_PRINTF printf
#include "vmscope_check.h"

VM_CHECK_STORAGE;

#define NOINLINE __attribute__((noinline))

static NOINLINE uint32_t fib(uint32_t n)
{
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

static uint32_t ack_calls;
static NOINLINE uint32_t ackermann(uint32_t m, uint32_t n)
{
    ack_calls++;
    if (m == 0)
        return n + 1;
    if (n == 0)
        return ackermann(m - 1, 1);
    return ackermann(m - 1, ackermann(m, n - 1));
}

/* Towers of Hanoi with real pegs: checks every move is legal. */
static uint8_t pegs[3][24];
static int heights[3];
static uint32_t moves, illegal_moves;

static void move_disc(int from, int to)
{
    uint8_t d = pegs[from][--heights[from]];
    if (heights[to] > 0 && pegs[to][heights[to] - 1] < d)
        illegal_moves++;
    pegs[to][heights[to]++] = d;
    moves++;
}

static NOINLINE void hanoi(int n, int from, int to, int via)
{
    if (n == 0)
        return;
    hanoi(n - 1, from, via, to);
    move_disc(from, to);
    hanoi(n - 1, via, to, from);
}

/* Mutual recursion; `volatile` depth sink keeps gcc from turning it into a loop. */
static volatile uint32_t depth_sink;
static NOINLINE int is_odd(uint32_t n);
static NOINLINE int is_even(uint32_t n)
{
    depth_sink = n;
    if (n == 0)
        return 1;
    int r = is_odd(n - 1);
    depth_sink = n;
    return r;
}
static NOINLINE int is_odd(uint32_t n)
{
    depth_sink = n;
    if (n == 0)
        return 0;
    int r = is_even(n - 1);
    depth_sink = n;
    return r;
}

/* A recursion with a 256-byte frame: about 130 KiB of stack at depth 500. */
static NOINLINE uint32_t big_frames(uint32_t depth)
{
    volatile uint8_t buf[256];
    for (unsigned i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(depth + i);
    uint32_t below = depth ? big_frames(depth - 1) : 0;
    uint32_t sum = 0;
    for (unsigned i = 0; i < sizeof buf; i++)
        sum += buf[i];
    return below + sum;
}

/* Recursive descent evaluation of an arithmetic expression. */
static const char *expr_pos;
static NOINLINE int32_t parse_expr(void);
static NOINLINE int32_t parse_atom(void)
{
    if (*expr_pos == '(') {
        expr_pos++;
        int32_t v = parse_expr();
        expr_pos++; /* ')' */
        return v;
    }
    int32_t v = 0;
    while (*expr_pos >= '0' && *expr_pos <= '9')
        v = v * 10 + (*expr_pos++ - '0');
    return v;
}
static NOINLINE int32_t parse_term(void)
{
    int32_t v = parse_atom();
    while (*expr_pos == '*' || *expr_pos == '/') {
        char op = *expr_pos++;
        int32_t r = parse_atom();
        v = op == '*' ? v * r : v / r;
    }
    return v;
}
static NOINLINE int32_t parse_expr(void)
{
    int32_t v = parse_term();
    while (*expr_pos == '+' || *expr_pos == '-') {
        char op = *expr_pos++;
        int32_t r = parse_term();
        v = op == '+' ? v + r : v - r;
    }
    return v;
}

int main(void)
{
    CHECK_EQ(fib(24), 46368, "fib(24)");
    printf("fib(24) = %lu\n", (unsigned long)fib(24));

    CHECK_EQ(ackermann(2, 3), 9, "ackermann(2, 3)");
    ack_calls = 0;
    uint32_t a = ackermann(3, 5);
    CHECK_EQ(a, 253, "ackermann(3, 5)");
    CHECK_EQ(ack_calls, 42438, "ackermann(3, 5) call count");
    printf("ackermann(3, 5) = %lu in %lu calls\n", (unsigned long)a, (unsigned long)ack_calls);

    const int discs = 16;
    for (int i = 0; i < discs; i++)
        pegs[0][i] = (uint8_t)(discs - i);
    heights[0] = discs;
    hanoi(discs, 0, 2, 1);
    CHECK_EQ(moves, 65535, "hanoi(16) moves");
    CHECK_EQ(illegal_moves, 0, "hanoi(16) illegal moves");
    CHECK_EQ(heights[2], discs, "hanoi(16) all discs on the target peg");
    printf("hanoi(16): %lu moves\n", (unsigned long)moves);

    CHECK_EQ(is_even(10000), 1, "is_even(10000)");
    CHECK_EQ(is_odd(7777), 1, "is_odd(7777)");
    CHECK_EQ(is_even(7777), 0, "is_even(7777)");
    printf("mutual recursion to depth 10000: ok\n");

    /* sum over depth d of sum_i (uint8_t)(d + i) over 256 i = 256*255/2 for every d */
    CHECK_EQ(big_frames(500), 501u * 32640u, "big_frames(500)");

    expr_pos = "((2+3)*(7-4)+100/(3+2))*((((1+1))))-(9*(8-(7-(6-(5-(4-(3-2)))))))";
    int32_t e = parse_expr();
    CHECK_EQ(e, 25, "recursive descent expression");

    return VM_FINISH("recursion");
}
