#ifndef HMTL_ALLOCATOR_H
#define HMTL_ALLOCATOR_H

// Keeps large allocations in glibc's heap instead of fresh mmap'ed pages (see allocator.c).
void hk_keep_large_allocations_in_heap(void);

#endif
