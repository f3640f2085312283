import Checkpoint
import Foundation
import Launching
import Training

/// The command that trains one run of an experiment: the `mpirun … hmtl train` a user would
/// type, with `OPENBLAS_NUM_THREADS` and mpirun's grace (10 s, as every documented launch);
/// a run folder holding a checkpoint continues with `--resume`. Paths are relative to the
/// current folder where they lie inside it, so the printed command is the one run.
public struct RunCommand {
    /// mpirun's arguments.
    let arguments: [String]
    let threads: Int
    let resumed: Bool

    init(_ run: ExperimentPlan.Run, plan: ExperimentPlan, programs: LaunchPrograms) {
        threads = run.setup.threads
        resumed = FileManager.default.fileExists(atPath: run.folder.appendingPathComponent(CheckpointStore.markerName).path)
        arguments = LaunchPrograms.baseOptions + ["--mca", "odls_base_sigkill_timeout", "\(plan.sigkillGrace)", "-np", "\(run.setup.worldSize)",
                                                  "-x", "OPENBLAS_NUM_THREADS", Self.relative(programs.executable), "train",
                                                  "--config", Self.relative(run.setup.configPath), "--output", Self.relative(run.folder.path)]
            + run.trainArguments + (resumed ? ["--resume"] : [])
    }

    /// As a shell reads it back: the environment, then mpirun and its arguments.
    var printed: String { (["OPENBLAS_NUM_THREADS=\(threads)", "mpirun"] + arguments).map(Self.shellQuoted).joined(separator: " ") }

    /// `path` relative to the current folder when it lies inside it, else as it is.
    public static func relative(_ path: String) -> String {
        let here = FileManager.default.currentDirectoryPath
        return path.hasPrefix(here + "/") ? String(path.dropFirst(here.count + 1)) : path
    }

    /// `word` bare when it holds only characters a POSIX shell leaves alone, else in single quotes.
    static func shellQuoted(_ word: String) -> String {
        let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%")
        guard word.isEmpty || !word.allSatisfy(safe.contains) else { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
