import CKernels
import Foundation
import Launching
import Processes
import Training

/// Runs this very binary's `bench` under `mpirun -np R` — root-safe, oversubscribed (a sweep
/// may ask for more ranks than cores), one BLAS thread per rank so that R ranks use R cores —
/// and returns the JSON line its rank 0 wrote. The ranks' output goes to this process's.
struct SweepLauncher {
    let programs: LaunchPrograms

    init() throws { programs = try LaunchPrograms(for: "--sweep") }

    /// How long the ranks of a stopped bench get between SIGTERM and SIGKILL: they have nothing
    /// to save, so only slack for a loaded machine.
    static let stopGrace: TimeInterval = 10

    /// Runs one bench under mpirun. mpirun gets a session of its own — a terminal's Ctrl-C reaches
    /// this process alone, which then ends mpirun and its ranks together (they stay in that
    /// session) before it exits — and SIGTERM from the kernel should this process die first.
    /// Call `hk_install_stop_handler` before, so that SIGTERM or SIGINT here end the bench.
    func measure(ranks: Int, arguments: [String]) throws -> [String: Any] {
        let result = FileManager.default.temporaryDirectory.appendingPathComponent("hmtl-bench-\(ProcessInfo.processInfo.processIdentifier)-\(ranks).json")
        defer { try? FileManager.default.removeItem(at: result) }
        try? FileManager.default.removeItem(at: result)
        let launch = LaunchPrograms.baseOptions + ["-np", "\(ranks)", "-x", "OPENBLAS_NUM_THREADS"]
            + [programs.executable] + arguments + ["--json-to", result.path]
        var environment = ProcessInfo.processInfo.environment
        environment["OPENBLAS_NUM_THREADS"] = "1"
        FileHandle.standardError.write(Data("hmtl: \(([programs.mpirun] + launch).joined(separator: " "))\n".utf8))
        let input = try LaunchPrograms.nullInput(for: "--sweep")
        defer { close(input) }
        let process = try ChildProcess(program: programs.mpirun, arguments: launch, environment: environment, standardInput: input,
                                       standardOutput: STDOUT_FILENO, standardError: STDERR_FILENO, isolation: .session, deathSignal: SIGTERM)
        while !process.wait(upTo: 0.1), hk_stop_requested() == 0 {}
        let stop = hk_stop_requested()
        process.end(grace: Self.stopGrace)
        if stop != 0 {
            throw TrainingError("--sweep: stopped by signal \(stop) during the \(ranks)-rank bench; its mpirun and ranks were ended")
        }
        guard process.status == 0 else {
            throw TrainingError("--sweep: the \(ranks)-rank bench failed (mpirun exit status \(process.status.map(String.init) ?? "unknown"))")
        }
        guard let data = try? Data(contentsOf: result),
              let line = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw TrainingError("--sweep: the \(ranks)-rank bench wrote no result to \(result.path)")
        }
        return line
    }
}
