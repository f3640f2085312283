// The only file that reads one of HDF5's library-global ids directly. The CHDF5 shim hands
// the other H5P_* classes over as functions; this one is read here instead, where Swift's
// concurrency checking accepts it: HDF5 sets it once in `H5open` and never changes it, and
// HDF5 is only ever used from one thread (see `HDF5Library`).
@preconcurrency import CHDF5

extension HDF5Library {
    /// A new file-creation property list (H5P_FILE_CREATE), or a negative id on failure.
    static func createFileCreationList() -> hid_t {
        guard H5open() >= 0 else { return -1 }
        return H5Pcreate(H5P_CLS_FILE_CREATE_ID_g)
    }
}
