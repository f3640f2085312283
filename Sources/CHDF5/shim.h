#include <hdf5.h>

// HDF5 exposes its type, file-mode and dataspace constants as macros over library globals
// (which also force library initialisation via H5OPEN); Swift cannot import such macros, so
// these inline functions hand them over. H5P_DEFAULT imports directly.

static inline hid_t chdf5_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t chdf5_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t chdf5_native_int64(void) { return H5T_NATIVE_INT64; }
static inline hid_t chdf5_ieee_f32le(void) { return H5T_IEEE_F32LE; }
static inline hid_t chdf5_ieee_f64le(void) { return H5T_IEEE_F64LE; }
static inline hid_t chdf5_std_i64le(void) { return H5T_STD_I64LE; }
static inline hid_t chdf5_c_s1(void) { return H5T_C_S1; }
static inline size_t chdf5_variable(void) { return H5T_VARIABLE; }

static inline unsigned chdf5_acc_trunc(void) { return H5F_ACC_TRUNC; }
static inline unsigned chdf5_acc_rdonly(void) { return H5F_ACC_RDONLY; }

static inline hid_t chdf5_s_all(void) { return H5S_ALL; }
static inline hid_t chdf5_e_default(void) { return H5E_DEFAULT; }

static inline hid_t chdf5_p_file_access(void) { return H5P_FILE_ACCESS; }
static inline hid_t chdf5_p_link_create(void) { return H5P_LINK_CREATE; }
