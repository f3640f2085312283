import CKernels
import Foundation
import Launching
import Reports
import Training

/// Runs an experiment's plan: every (setup, seed) without a `result.json` is trained — up to
/// `parallel` at once, in the plan's order — continuing from its checkpoint when it has one.
/// When a launch ends, a run whose training ended (its completion record) gets its
/// `result.json` and `report.html`; a failed run is reported and the others go on. SIGTERM or
/// SIGINT (Ctrl-C, once) stops the running ones with a checkpoint. The summary files are
/// rebuilt at the end, whatever happened.
public struct ExperimentRunner {
    let plan: ExperimentPlan
    let parallel: Int
    let programs: LaunchPrograms

    public init(plan: ExperimentPlan, parallel: Int, programs: LaunchPrograms) {
        self.plan = plan
        self.parallel = parallel
        self.programs = programs
    }

    /// How long stopped ranks get to finish the current step (or a validation that is under
    /// way) and write a checkpoint before the rest of the job is ended.
    static let stopWait: TimeInterval = 60
    /// Between SIGTERM and SIGKILL for what is left of a job after that.
    static let killGrace: TimeInterval = 10

    private enum Outcome: String { case finished, interrupted, failed }

    public func run() throws {
        let runs = plan.runs
        var pending: [(number: Int, run: ExperimentPlan.Run)] = []
        for (index, run) in runs.enumerated() {
            if try RunResult.read(from: run.folder) != nil {
                say("[\(index + 1)/\(runs.count)] \(run.name): skipped (finished: it has \(RunResult.fileName))")
            } else {
                pending.append((index + 1, run))
            }
        }
        var active: [RunLaunch] = []
        var failures: [String] = [], interrupted: [String] = []
        func settle(_ launch: RunLaunch) {
            switch finish(launch) {
            case .finished: break
            case .interrupted: interrupted.append(launch.run.name)
            case .failed: failures.append("\(launch.run.name) (see \(launch.logPath))")
            }
        }
        while hk_stop_requested() == 0, !(pending.isEmpty && active.isEmpty) {
            while active.count < parallel, !pending.isEmpty, hk_stop_requested() == 0 {
                let (number, run) = pending.removeFirst()
                do {
                    let launch = try RunLaunch(run, plan: plan, programs: programs)
                    say("[\(number)/\(runs.count)] \(run.name): \(launch.command.resumed ? "resuming" : "starting")\n  \(launch.command.printed)")
                    active.append(launch)
                } catch {
                    say("\(run.name): failed to start: \(error)")
                    failures.append(run.name)
                }
            }
            usleep(200_000)
            var running: [RunLaunch] = []
            for launch in active {
                if launch.process.hasExited { settle(launch) } else { running.append(launch) }
            }
            active = running
        }
        let stop = hk_stop_requested()
        if stop != 0, !active.isEmpty {
            say("signal \(stop): stopping \(active.map(\.run.name).joined(separator: ", ")); the ranks finish their step and "
                + "checkpoint (up to \(Int(Self.stopWait)) s)")
            active.forEach { $0.stopRanks() }
            let deadline = Date().addingTimeInterval(Self.stopWait)
            while active.contains(where: { !$0.process.hasExited }), Date() < deadline { usleep(100_000) }
            active.forEach(settle)
        }
        let summary = try ExperimentSummary.rebuild(plan)
        say("\(summary.runs.count) of \(runs.count) runs finished; summary in \(RunCommand.relative(plan.output.path))/"
            + "{\(ExperimentSummary.fileName),\(ExperimentSummary.tableFileName),\(ExperimentPage.fileName)}")
        if stop != 0 {
            throw TrainingError("experiment stopped by signal \(stop)"
                + (interrupted.isEmpty ? "" : "; \(interrupted.joined(separator: ", ")) checkpointed")
                + "; run the same command to continue")
        }
        guard failures.isEmpty else {
            throw TrainingError("\(failures.count) run(s) failed: \(failures.joined(separator: ", ")); run the same command to retry them")
        }
    }

    /// Every run's state, or what it would run: "A-seed1: finished",
    /// "A-seed1: new: OPENBLAS_NUM_THREADS=1 mpirun …" (`--dry-run`).
    public func states() throws -> [String] {
        try plan.runs.map { run in
            if try RunResult.read(from: run.folder) != nil { return "\(run.name): finished" }
            let command = RunCommand(run, plan: plan, programs: programs)
            return "\(run.name): \(command.resumed ? "resumes" : "new"): \(command.printed)"
        }
    }

    /// Ends what is left of the launch's job, records the launch and, for a run whose training
    /// ended, writes its result and report.
    private func finish(_ launch: RunLaunch) -> Outcome {
        let exited = launch.process.hasExited
        launch.process.end(grace: Self.killGrace)
        let seconds = Date().timeIntervalSince(launch.started)
        let status = launch.process.status ?? -1
        let metricsURL = launch.run.folder.appendingPathComponent(RunReport.metricsFileName)
        var outcome = Outcome.failed
        var problem = exited ? (launch.process.signalled ? "ended by signal \(status)" : "exit status \(status)") : "did not stop in time and was killed"
        if exited, !launch.process.signalled, status == 0 {
            do {
                outcome = try RunMetrics.read(metricsURL).end == nil ? .interrupted : .finished
            } catch {
                problem = "\(error)"
            }
        }
        do {
            try LaunchRecord.append(LaunchRecord(command: launch.command.printed, started: launch.started, seconds: seconds, status: status,
                                                 outcome: outcome.rawValue), to: launch.run.folder)
            if outcome == .finished {
                let result = try RunResult(run: launch.run, metrics: try RunMetrics.read(metricsURL),
                                           launches: try LaunchRecord.read(launch.run.folder))
                try result.write(to: launch.run.folder)
                try RunReport.write(runDirectory: launch.run.folder)
                say("\(launch.run.name): finished — \(describe(result))")
                return .finished
            }
        } catch {
            say("\(launch.run.name): failed: \(error)")
            return .failed
        }
        switch outcome {
        case .interrupted: say("\(launch.run.name): stopped with a checkpoint; it resumes on the next run of this experiment")
        case .failed: say("\(launch.run.name): failed (\(problem)); its log: \(launch.logPath)")
        case .finished: break
        }
        return outcome
    }

    /// "ner 85.12, relation 61.30 (strict 48.20), … — max_epochs after 27900 steps (100.0 epochs), 1h57m".
    private func describe(_ result: RunResult) -> String {
        let scores = TaskPalette.ordered(result.tasks.keys).compactMap { task -> String? in
            guard let test = result.tasks[task]?.test, let f1 = test["f1"] else { return nil }
            return String(format: "%@ %.2f", task, f1) + (test["strict_f1"].map { String(format: " (strict %.2f)", $0) } ?? "")
        }
        return "test " + scores.joined(separator: ", ") + String(format: " — stopped by %@ after %d steps (%.1f epochs), ", result.stop.reason,
                                                                 result.steps, result.epochs) + formatDuration(result.wallSeconds)
    }

    private func say(_ line: String) {
        FileHandle.standardOutput.write(Data("hmtl experiment: \(line)\n".utf8))
    }
}
