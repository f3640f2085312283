import Foundation
import Tensor

/// Where a benchmark line was measured — the CPU, the OpenBLAS kernel and threads, the build —
/// so that a figure is never read without what it depends on most (the same code runs
/// 1.5–2× apart between OpenBLAS kernels on one CPU, and a debug build is no measurement).
public enum BenchmarkMachine {
    public static func fields(environment: [String: String]) -> [String: Any] {
        ["cpu_model": cpuModel, "blas_kernel": BLASLibrary.coreName,
         "blas_config": BLASLibrary.configuration.trimmingCharacters(in: .whitespaces),
         "threads": environment["OPENBLAS_NUM_THREADS"] ?? "default", "openblas_threads": BLASLibrary.threads,
         "openblas_coretype": environment["OPENBLAS_CORETYPE"] ?? "auto",
         "openblas_detected": environment[BLASKernelChoice.detectedVariable] ?? BLASLibrary.coreName, "build": build]
    }

    /// One core's sgemm rate at 1024³ (the roofline's ceiling), GFLOP/s: products repeated for
    /// half a second after one untimed, with whatever threads OpenBLAS has (bench runs use 1).
    public static func sgemmPeakGflops() -> Double {
        let n = 1024
        let a = [Float](repeating: 0.5, count: n * n), b = [Float](repeating: 0.25, count: n * n)
        var c = [Float](repeating: 0, count: n * n)
        func product() { BLAS.gemm(m: n, n: n, k: n, a: a, b: b, c: &c) }
        product()
        var clock = Stopwatch()
        var products = 0, seconds = 0.0
        while seconds < 0.5 {
            product()
            products += 1
            seconds += clock.lap() / 1000
        }
        return 2 * Double(n * n * n) * Double(products) / seconds / 1e9
    }

    /// The first `model name` of /proc/cpuinfo ("unknown" where there is none).
    static var cpuModel: String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown" }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return "unknown"
    }

    static var build: String {
        #if DEBUG
        "debug"
        #else
        "release"
        #endif
    }
}
