import Foundation

/// Chooses the communicator from how the process was started, so `hmtl train` works both
/// directly and under `mpirun`/`srun` without a flag.
public enum Communicators {
    /// Set by OpenMPI's mpirun (OMPI_*), by Slurm/Hydra PMI-1/2 (PMI_*) and by PMIx launchers.
    static let launcherVariables = ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "PMI_RANK"]

    public static func isLaunchedByMPI(environment: [String: String]) -> Bool {
        launcherVariables.contains { environment[$0] != nil }
    }

    /// MPI when an MPI launcher started this process, a single-process world otherwise.
    public static func make(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> Communicator {
        if isLaunchedByMPI(environment: environment) {
            return try MPICommunicator()
        }
        return SingleProcessCommunicator()
    }
}
