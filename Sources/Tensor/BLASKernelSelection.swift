import CKernels
import Foundation

/// Where OpenBLAS fell back to a generic kernel on a CPU that runs a vector one
/// (`BLASKernelChoice`) and the machine leaves `OPENBLAS_CORETYPE` unset, the process restarts
/// itself once with the variable set: OpenBLAS reads it only when it loads. A variable the
/// machine or the user set is never changed. Under mpirun or srun every rank does this before
/// MPI starts, so the restart is invisible to the launcher (same PID, same environment).
public enum BLASKernelSelection {
    public static func restartWithBetterKernelIfNeeded() {
        let environment = ProcessInfo.processInfo.environment
        guard environment["OPENBLAS_CORETYPE"] == nil else { return }
        let detected = BLASLibrary.coreName
        guard let kernel = BLASKernelChoice.replacement(for: detected, avx512: hk_cpu_has_avx512_skylakex() != 0,
                                                        avx2: hk_cpu_has_avx2_fma() != 0, intel: hk_cpu_is_intel() != 0)
        else { return }
        setenv("OPENBLAS_CORETYPE", kernel, 1)
        setenv(BLASKernelChoice.detectedVariable, detected, 1)
        // The binary's own path, not /proc/self/exe: the process's name (comm) comes from the path
        // executed, and launchers find their ranks by it (cluster/mpirun-hostfile.sh).
        let binary = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? "/proc/self/exe"
        execv(binary, CommandLine.unsafeArgv)
        // Only a failed exec returns: carry on with the kernel OpenBLAS chose.
        unsetenv("OPENBLAS_CORETYPE")
        unsetenv(BLASKernelChoice.detectedVariable)
    }

    /// "OpenBLAS SkylakeX kernel (hmtl's choice; OpenBLAS detected Prescott), 1 thread".
    public static var description: String {
        let threads = BLASLibrary.threads
        var text = "OpenBLAS \(BLASLibrary.coreName) kernel"
        if let detected = ProcessInfo.processInfo.environment[BLASKernelChoice.detectedVariable] {
            text += " (hmtl's choice; OpenBLAS detected \(detected))"
        }
        return text + ", \(threads) thread\(threads == 1 ? "" : "s")"
    }
}
