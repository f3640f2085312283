import Foundation
import Reports
import Training

/// A finished run of an experiment (`<run>/result.json`, written only after training ended and
/// its test scores were recorded; its presence is what makes `hmtl experiment` skip the run).
/// Every task is scored with its own best dev checkpoint (`best-<task>.h5`): the dev scores
/// are those of the validation that saved it, the test scores those `hmtl train` computed with
/// it at the end — the `Evaluator`'s, as `hmtl evaluate` computes them. Scores are in percent.
public struct RunResult: Codable, Sendable {
    static let fileName = "result.json"

    struct Scores: Codable, Sendable {
        /// The step of `best-<task>.h5`; nil when the task was never validated (its test score
        /// then comes from the final parameters).
        var bestStep: Int?
        var bestEpoch: Double?
        /// F1, precision and recall fields of the records: `f1`; RE's `strict_f1`; coreference's
        /// `muc_f1`, `b3_f1`, `ceafe_f1` (`f1` is their average), …
        var dev: [String: Double]
        var test: [String: Double]

        enum CodingKeys: String, CodingKey { case bestStep = "best_step", bestEpoch = "best_epoch", dev, test }
    }

    struct Stop: Codable, Sendable {
        /// `patience`, `min_lr`, `max_epochs` or `max_steps` (`Trainer.StopReason`).
        var reason: String
        /// A cap (`max_epochs`, `max_steps`) ended the run rather than a stopping rule.
        var capped: Bool
        /// Capped runs: whether every task's dev score had levelled off (`DevPlateau`).
        var levelledOff: Bool?
        /// Capped runs: per task, F1 points its best dev score gained over its last
        /// `DevPlateau.window` validations (a task with too few validations is left out).
        var gains: [String: Double]?

        enum CodingKeys: String, CodingKey { case reason, capped, levelledOff = "levelled_off", gains }
    }

    struct Hardware: Codable, Sendable {
        var cpuModel: String
        var blasKernel: String
        var build: String
        var hmtlVersion: String

        enum CodingKeys: String, CodingKey { case cpuModel = "cpu_model", blasKernel = "blas_kernel", build, hmtlVersion = "hmtl_version" }
    }

    var setup: String
    var seed: Int
    /// The config as the experiment file names it, relative to that file.
    var config: String
    var hierarchy: String
    /// `--set` overrides after the seed's.
    var overrides: [String]
    var worldSize: Int
    /// OPENBLAS_NUM_THREADS of each rank, as the run recorded it.
    var threads: String
    var tasks: [String: Scores]
    var steps: Int
    var epochs: Double
    var stepsPerEpoch: Int
    var stop: Stop
    /// The logged training windows' time (validations and checkpoints included, replayed steps once).
    var trainingSeconds: Double
    /// The launches' wall time over every sitting (`LaunchRecord`).
    var wallSeconds: Double
    var launches: Int
    var hardware: Hardware
    /// The last launch's command.
    var command: String

    enum CodingKeys: String, CodingKey {
        case setup, seed, config, hierarchy, overrides, worldSize = "world_size", threads, tasks, steps, epochs
        case stepsPerEpoch = "steps_per_epoch", stop, trainingSeconds = "training_seconds", wallSeconds = "wall_seconds"
        case launches, hardware, command
    }

    /// The result of `run` from its records; fails unless its metrics end with the completion
    /// record (`Trainer.recordEnd`).
    init(run: ExperimentPlan.Run, metrics: RunMetrics, launches: [LaunchRecord]) throws {
        let place = run.folder.appendingPathComponent(RunReport.metricsFileName).path
        guard let end = metrics.end else { throw TrainingError("\(place): the run has not ended (no completion record after its last step)") }
        guard let start = metrics.starts.last else { throw TrainingError("\(place): no start record") }
        setup = run.setup.name
        seed = run.seed
        config = run.setup.config
        hierarchy = run.setup.hierarchy
        overrides = run.setup.overrides
        worldSize = start.worldSize
        threads = start.machine["threads"] ?? "unknown"
        steps = end.step
        epochs = end.epochs
        stepsPerEpoch = end.stepsPerEpoch
        trainingSeconds = metrics.trainingSeconds
        wallSeconds = launches.reduce(0) { $0 + $1.seconds }
        self.launches = launches.count
        command = launches.last?.command ?? ""
        hardware = Hardware(cpuModel: start.machine["cpu_model"] ?? "unknown", blasKernel: start.machine["blas_kernel"] ?? "unknown",
                            build: start.machine["build"] ?? "unknown", hmtlVersion: start.machine["hmtl_version"] ?? "unknown")
        var tasks: [String: Scores] = [:]
        var gains: [String: Double] = [:]
        for (task, step) in end.bestSteps {
            let curve = metrics.validation.filter { $0.task == task }
            let best = step >= 0 ? step : nil
            let dev = best.flatMap { s in curve.last { $0.step == s } }
            tasks[task] = Scores(bestStep: best, bestEpoch: best.map { Double($0) / Double(end.stepsPerEpoch) },
                                 dev: dev.map(Self.percent) ?? [:], test: metrics.test.last { $0.task == task }.map(Self.percent) ?? [:])
            if let gain = DevPlateau.gain(curve.map { 100 * $0.score }) { gains[task] = gain }
        }
        self.tasks = tasks
        let capped = end.reason == Trainer.StopReason.maxEpochs.rawValue || end.reason == Trainer.StopReason.maxSteps.rawValue
        stop = Stop(reason: end.reason, capped: capped,
                    levelledOff: capped ? end.bestSteps.keys.allSatisfy { DevPlateau.isLevelledOff(gain: gains[$0]) } : nil,
                    gains: capped ? gains : nil)
    }

    /// A record's F1, precision and recall fields, in percent.
    private static func percent(_ evaluation: RunMetrics.Evaluation) -> [String: Double] {
        evaluation.numbers.filter { key, _ in ["f1", "precision", "recall"].contains { key.hasSuffix($0) } }.mapValues { 100 * $0 }
    }

    /// Whether the run stopped on a cap before its dev scores levelled off.
    var cappedBeforeLevellingOff: Bool { stop.capped && stop.levelledOff == false }

    func write(to folder: URL) throws {
        try ResultFiles.writeJSON(self, to: folder.appendingPathComponent(Self.fileName), what: "run result")
    }

    /// The folder's result, nil when it has none (the run is not finished).
    static func read(from folder: URL) throws -> RunResult? {
        let url = folder.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do {
            return try JSONDecoder().decode(RunResult.self, from: Data(contentsOf: url))
        } catch {
            throw TrainingError("\(url.path): not a run result (\(error)); remove it to score the run again")
        }
    }
}
