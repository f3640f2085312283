/// OpenBLAS picks its kernel from the CPU model when it loads, and a release older than the
/// CPU falls back to generic SSE3 code: 0.3.21 takes Intel's model 207 (Emerald Rapids) for a
/// `Prescott`, whose sgemm runs at a quarter of the `SkylakeX` kernel's speed on that CPU.
/// Where the machine leaves `OPENBLAS_CORETYPE` unset, hmtl asks for the kernel the CPU's
/// instruction set supports instead (see `hmtl/BLASKernelSelection.swift`).
public enum BLASKernelChoice {
    /// Set when hmtl restarts itself with its choice: the kernel OpenBLAS had detected.
    public static let detectedVariable = "HMTL_OPENBLAS_DETECTED"

    /// Kernels built on AVX2 or wider; OpenBLAS's choice among these is kept.
    static let vectorKernels: Set<String> = ["Haswell", "Zen", "SkylakeX", "Cooperlake", "SapphireRapids"]

    /// The kernel to ask for instead of `detected`, or nil to keep it. `SkylakeX` only on Intel:
    /// on an AMD EPYC with AVX-512 its kernels stopped with an illegal instruction, where
    /// OpenBLAS's own `Zen` choice runs.
    public static func replacement(for detected: String, avx512: Bool, avx2: Bool, intel: Bool) -> String? {
        guard !vectorKernels.contains(detected) else { return nil }
        if avx512 && intel { return "SkylakeX" }
        if avx2 { return "Haswell" }
        return nil
    }
}
