#ifndef HMTL_CMPI_SHIM_H
#define HMTL_CMPI_SHIM_H

// OpenMPI's handles (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM, MPI_IN_PLACE, ...) are macros over
// globals and casts that Swift cannot import, so every call the Distributed target needs is a
// static inline wrapper here. All of them act on MPI_COMM_WORLD and return the MPI error code
// (MPI_SUCCESS == hmtl_mpi_success()); counts are `int` as in MPI, so callers chunk.

#include <mpi.h>
#include <stdint.h>

static inline int hmtl_mpi_success(void) { return MPI_SUCCESS; }
static inline int hmtl_mpi_thread_funneled(void) { return MPI_THREAD_FUNNELED; }
static inline int hmtl_mpi_max_error_string(void) { return MPI_MAX_ERROR_STRING; }

static inline int hmtl_mpi_initialized(int *flag) { return MPI_Initialized(flag); }
static inline int hmtl_mpi_finalized(int *flag) { return MPI_Finalized(flag); }
static inline int hmtl_mpi_init_thread(int required, int *provided) {
    return MPI_Init_thread(NULL, NULL, required, provided);
}
static inline int hmtl_mpi_finalize(void) { return MPI_Finalize(); }

/// Errors come back as return codes instead of aborting inside the library, so Swift can
/// report them with the operation that failed.
static inline int hmtl_mpi_set_errors_return(void) {
    return MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
}
static inline int hmtl_mpi_error_string(int code, char *buffer, int *length) {
    return MPI_Error_string(code, buffer, length);
}

static inline int hmtl_mpi_rank(int *rank) { return MPI_Comm_rank(MPI_COMM_WORLD, rank); }
static inline int hmtl_mpi_size(int *size) { return MPI_Comm_size(MPI_COMM_WORLD, size); }

static inline int hmtl_mpi_allreduce_sum_float(float *buffer, int count) {
    return MPI_Allreduce(MPI_IN_PLACE, buffer, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
}
/// Non-blocking: the buffer belongs to MPI until the request completes (MPI_Testall, MPI_Waitall).
static inline int hmtl_mpi_iallreduce_sum_float(float *buffer, int count, MPI_Request *request) {
    return MPI_Iallreduce(MPI_IN_PLACE, buffer, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD, request);
}
/// One turn of MPI's progress engine: `done` is set, and the requests freed, when all have completed.
static inline int hmtl_mpi_testall(int count, MPI_Request *requests, int *done) {
    return MPI_Testall(count, requests, done, MPI_STATUSES_IGNORE);
}
static inline int hmtl_mpi_waitall(int count, MPI_Request *requests) {
    return MPI_Waitall(count, requests, MPI_STATUSES_IGNORE);
}
static inline int hmtl_mpi_allreduce_sum_double(double *buffer, int count) {
    return MPI_Allreduce(MPI_IN_PLACE, buffer, count, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
}
static inline int hmtl_mpi_allreduce_min_int64(int64_t *buffer, int count) {
    return MPI_Allreduce(MPI_IN_PLACE, buffer, count, MPI_INT64_T, MPI_MIN, MPI_COMM_WORLD);
}
static inline int hmtl_mpi_allreduce_max_int64(int64_t *buffer, int count) {
    return MPI_Allreduce(MPI_IN_PLACE, buffer, count, MPI_INT64_T, MPI_MAX, MPI_COMM_WORLD);
}

/// `received` holds one value per rank, in rank order.
static inline int hmtl_mpi_allgather_int64(int64_t value, int64_t *received) {
    return MPI_Allgather(&value, 1, MPI_INT64_T, received, 1, MPI_INT64_T, MPI_COMM_WORLD);
}

static inline int hmtl_mpi_bcast_float(float *buffer, int count, int root) {
    return MPI_Bcast(buffer, count, MPI_FLOAT, root, MPI_COMM_WORLD);
}
static inline int hmtl_mpi_bcast_bytes(uint8_t *buffer, int count, int root) {
    return MPI_Bcast(buffer, count, MPI_UINT8_T, root, MPI_COMM_WORLD);
}
static inline int hmtl_mpi_bcast_int64(int64_t *value, int root) {
    return MPI_Bcast(value, 1, MPI_INT64_T, root, MPI_COMM_WORLD);
}

static inline int hmtl_mpi_barrier(void) { return MPI_Barrier(MPI_COMM_WORLD); }
static inline int hmtl_mpi_abort(int code) { return MPI_Abort(MPI_COMM_WORLD, code); }

#endif
