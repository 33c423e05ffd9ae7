/* PebbleFS: sector 0 holds the superblock ("PEBBLEFS", the first free sector), sector 1 the
   directory (16 entries of 32 bytes: a name, the first sector, the size in bytes); each file is
   contiguous. Made by make_pebblefs.py; `write` appends new files at the free sector. */
#include "pebble.h"

struct entry {
    char name[24];
    uint32_t start, size;
};
static uint8_t super[512] __attribute__((aligned(16)));
static struct entry dir[16] __attribute__((aligned(16)));
static uint8_t block[512] __attribute__((aligned(16)));
#define MAX_FILE (8 * 512)

int fs_mount(void)
{
    if (!disk_rw(0, super, 0) || !str_eq((const char *)super, "PEBBLEFS") || !disk_rw(1, dir, 0))
        return 0;
    return 1;
}

static uint32_t next_free(void) { return super[12] | super[13] << 8 | super[14] << 16 | (uint32_t)super[15] << 24; }

void fs_list(void)
{
    for (int i = 0; i < 16; i++)
        if (dir[i].name[0])
            printf("%16s %5u bytes at sector %u\n", dir[i].name, dir[i].size, dir[i].start);
}

static struct entry *find(const char *name)
{
    for (int i = 0; i < 16; i++)
        if (dir[i].name[0] && str_eq(dir[i].name, name))
            return &dir[i];
    return 0;
}

int fs_read(const char *name, char *out, uint32_t max)
{
    struct entry *e = find(name);
    if (!e)
        return -1;
    uint32_t n = e->size < max ? e->size : max;
    for (uint32_t at = 0; at < n; at += 512) {
        if (!disk_rw(e->start + at / 512, block, 0))
            return -1;
        mem_copy(out + at, block, n - at < 512 ? n - at : 512);
    }
    return (int)n;
}

int fs_write(const char *name, const char *text, uint32_t len)
{
    if (str_len(name) >= sizeof dir[0].name || len > MAX_FILE)
        return 0;
    struct entry *e = find(name);
    if (!e) {
        for (int i = 0; i < 16 && !e; i++)
            if (!dir[i].name[0])
                e = &dir[i];
        if (!e || next_free() + MAX_FILE / 512 > disk_sectors())
            return 0;
        mem_set(e, 0, sizeof *e);
        mem_copy(e->name, name, str_len(name));
        e->start = next_free();
        uint32_t free = e->start + MAX_FILE / 512; /* every new file gets room to grow */
        mem_copy(super + 12, &free, 4);
        if (!disk_rw(0, super, 1))
            return 0;
    }
    for (uint32_t at = 0; at < len; at += 512) {
        mem_set(block, 0, 512);
        mem_copy(block, text + at, len - at < 512 ? len - at : 512);
        if (!disk_rw(e->start + at / 512, block, 1))
            return 0;
    }
    e->size = len;
    return disk_rw(1, dir, 1);
}

int fs_remove(const char *name)
{
    struct entry *e = find(name);
    if (!e)
        return 0;
    mem_set(e, 0, sizeof *e);
    return disk_rw(1, dir, 1);
}
