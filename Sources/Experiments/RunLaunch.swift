import Foundation
import Launching
import Processes
import Training

/// One launch of an experiment run's training (`RunCommand`) in a session of its own, its
/// output appended to the run folder's `train.log` after a line naming the command.
final class RunLaunch {
    static let logName = "train.log"

    let run: ExperimentPlan.Run
    let command: RunCommand
    let process: ChildProcess
    let started = Date()
    /// The ranks' process name (`comm`, at most 15 characters), to find them under mpirun.
    private let rankName: String

    init(_ run: ExperimentPlan.Run, plan: ExperimentPlan, programs: LaunchPrograms) throws {
        self.run = run
        command = RunCommand(run, plan: plan, programs: programs)
        rankName = String(URL(fileURLWithPath: programs.executable).lastPathComponent.prefix(15))
        do {
            try FileManager.default.createDirectory(at: run.folder, withIntermediateDirectories: true)
        } catch {
            throw TrainingError("\(run.folder.path): cannot create the run folder (\(error.localizedDescription))")
        }
        let logURL = run.folder.appendingPathComponent(Self.logName)
        let log = open(logURL.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard log >= 0 else { throw TrainingError("\(logURL.path): cannot open: \(String(cString: strerror(errno)))") }
        defer { close(log) }
        let header = "hmtl experiment: \(ISO8601DateFormatter().string(from: started)): \(command.printed)\n"
        _ = header.withCString { write(log, $0, strlen($0)) }
        let input = try LaunchPrograms.nullInput(for: run.name)
        defer { close(input) }
        var environment = ProcessInfo.processInfo.environment
        environment["OPENBLAS_NUM_THREADS"] = "\(command.threads)"
        // The kernel's parent-death signal follows the starting thread: the runner's main one.
        process = try ChildProcess(program: programs.mpirun, arguments: command.arguments, environment: environment, standardInput: input,
                                   standardOutput: log, standardError: log, isolation: .session, deathSignal: SIGTERM)
    }

    /// The run's log, as printed.
    var logPath: String { RunCommand.relative(run.folder.appendingPathComponent(Self.logName).path) }

    /// SIGTERM straight to the ranks, which finish the current step, checkpoint and exit 0, and
    /// then so does mpirun; a signal to mpirun would reach them only after its grace.
    func stopRanks() {
        for rank in ProcessTable.entries() where rank.parent == process.pid && rank.isAlive && rank.command == rankName {
            kill(rank.pid, SIGTERM)
        }
    }
}
