#include "hmtl_allocator.h"
#include <malloc.h>

// A training step allocates and frees activations of several MiB. Above glibc's mmap
// threshold each would come as new pages from the kernel — a page fault and a page zeroing
// per 4 KiB, every step (a quarter of a NER step at the yardstick shapes). With the threshold
// and the trim limit raised, freed blocks stay in the heap and the next step reuses them.
void hk_keep_large_allocations_in_heap(void) {
    mallopt(M_MMAP_THRESHOLD, 512 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
}
