import CHDF5

/// A fixed-size number HDF5 can store. Files always use the explicit little-endian type so a
/// checkpoint's bytes do not depend on the writing host; reads convert to the native type
/// (a no-op on little-endian hosts, so Float values come back bit-identical).
public protocol HDF5Number: BitwiseCopyable {
    static var hdf5FileType: hid_t { get }
    static var hdf5MemoryType: hid_t { get }
}

extension Float: HDF5Number {
    public static var hdf5FileType: hid_t { chdf5_ieee_f32le() }
    public static var hdf5MemoryType: hid_t { chdf5_native_float() }
}

extension Double: HDF5Number {
    public static var hdf5FileType: hid_t { chdf5_ieee_f64le() }
    public static var hdf5MemoryType: hid_t { chdf5_native_double() }
}

extension Int64: HDF5Number {
    public static var hdf5FileType: hid_t { chdf5_std_i64le() }
    public static var hdf5MemoryType: hid_t { chdf5_native_int64() }
}
