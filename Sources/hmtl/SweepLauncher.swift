import Foundation
import Training

/// Runs this very binary's `bench` under `mpirun -np R` — root-safe, oversubscribed (a sweep
/// may ask for more ranks than cores), one BLAS thread per rank so that R ranks use R cores —
/// and returns the JSON line its rank 0 wrote. The ranks' output goes to this process's.
struct SweepLauncher {
    let executable: String
    let mpirun: String

    init() throws {
        // /proc/self/exe names this binary however it was started (relative path, PATH, symlink).
        executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        guard let found = path.split(separator: ":").map({ "\($0)/mpirun" }).first(where: FileManager.default.isExecutableFile) else {
            throw TrainingError("--sweep: mpirun is not on PATH (install OpenMPI: make deps)")
        }
        mpirun = found
    }

    func measure(ranks: Int, arguments: [String]) throws -> [String: Any] {
        let result = FileManager.default.temporaryDirectory.appendingPathComponent("hmtl-bench-\(ProcessInfo.processInfo.processIdentifier)-\(ranks).json")
        defer { try? FileManager.default.removeItem(at: result) }
        try? FileManager.default.removeItem(at: result)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: mpirun)
        process.arguments = (getuid() == 0 ? ["--allow-run-as-root"] : []) + ["--oversubscribe", "-np", "\(ranks)", "-x", "OPENBLAS_NUM_THREADS"]
            + [executable] + arguments + ["--json-to", result.path]
        var environment = ProcessInfo.processInfo.environment
        environment["OPENBLAS_NUM_THREADS"] = "1"
        process.environment = environment
        FileHandle.standardError.write(Data("hmtl: \(([mpirun] + process.arguments!).joined(separator: " "))\n".utf8))
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TrainingError("--sweep: the \(ranks)-rank bench failed (mpirun exit status \(process.terminationStatus))")
        }
        guard let data = try? Data(contentsOf: result),
              let line = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw TrainingError("--sweep: the \(ranks)-rank bench wrote no result to \(result.path)")
        }
        return line
    }
}
