import CBLAS

/// What OpenBLAS chose at load time: its kernel (`OPENBLAS_CORETYPE` or the CPU's detection),
/// build options and thread count. A throughput figure means little without them — the same
/// code runs 1.5–2× apart on one machine depending on the kernel picked.
public enum BLASLibrary {
    /// The kernel in use, e.g. "Zen" or "Haswell".
    public static var coreName: String { String(cString: openblas_get_corename()) }
    /// The build's configuration, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64".
    public static var configuration: String { String(cString: openblas_get_config()) }
    /// The threads OpenBLAS runs a product on (`OPENBLAS_NUM_THREADS`, else the cores).
    public static var threads: Int { Int(openblas_get_num_threads()) }
}
