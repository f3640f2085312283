import Foundation
import Training

/// `summary.json` of an experiment: per setup, every score's mean and sample standard
/// deviation over the seeds that finished, with the runs' results themselves, so the one file
/// carries the whole table. Built from whatever runs have finished so far.
public struct ExperimentSummary: Codable, Sendable {
    static let fileName = "summary.json"

    /// Mean and sample standard deviation (n − 1; nil for one value) of `values`.
    struct Statistic: Codable, Sendable, Equatable {
        var mean: Double
        var std: Double?
        var n: Int
        var values: [Double]

        init?(_ values: [Double]) {
            guard !values.isEmpty else { return nil }
            let mean = values.reduce(0, +) / Double(values.count)
            self.mean = mean
            std = values.count > 1
                ? (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)).squareRoot() : nil
            n = values.count
            self.values = values
        }
    }

    struct Setup: Codable, Sendable {
        var setup: String
        var hierarchy: String
        var config: String
        /// The seeds planned, and those finished (in the plan's order).
        var seeds: [Int]
        var finishedSeeds: [Int]
        /// task → split (`dev`, `test`) → metric → statistic over the finished seeds.
        var scores: [String: [String: [String: Statistic]]]
        var steps: Statistic?
        var epochs: Statistic?
        var wallSeconds: Statistic?
        /// Seeds a cap stopped before their dev scores levelled off (`DevPlateau`).
        var cappedBeforeLevellingOff: [Int]
        /// How many runs each stopping reason ended.
        var stopReasons: [String: Int]

        enum CodingKeys: String, CodingKey {
            case setup, hierarchy, config, seeds, finishedSeeds = "finished_seeds", scores, steps, epochs, wallSeconds = "wall_seconds"
            case cappedBeforeLevellingOff = "capped_before_levelling_off", stopReasons = "stop_reasons"
        }
    }

    /// The experiment file's name.
    var experiment: String
    /// The overrides every run got after its seed (the protocol).
    var protocolOverrides: [String]
    var setups: [Setup]
    public var runs: [RunResult]

    enum CodingKeys: String, CodingKey { case experiment, protocolOverrides = "protocol", setups, runs }

    init(plan: ExperimentPlan, results: [RunResult]) {
        experiment = URL(fileURLWithPath: plan.file).lastPathComponent
        protocolOverrides = plan.protocolOverrides
        runs = results
        setups = plan.setups.map { setup in
            let finished = setup.seeds.compactMap { seed in results.first { $0.setup == setup.name && $0.seed == seed } }
            var scores: [String: [String: [String: Statistic]]] = [:]
            for task in Set(finished.flatMap(\.tasks.keys)) {
                for split in ["dev", "test"] {
                    let values = finished.compactMap { $0.tasks[task].map { split == "dev" ? $0.dev : $0.test } }
                    for metric in Set(values.flatMap(\.keys)) {
                        scores[task, default: [:]][split, default: [:]][metric] = Statistic(values.compactMap { $0[metric] })
                    }
                }
            }
            return Setup(setup: setup.name, hierarchy: setup.hierarchy, config: setup.config, seeds: setup.seeds,
                         finishedSeeds: finished.map(\.seed), scores: scores,
                         steps: Statistic(finished.map { Double($0.steps) }), epochs: Statistic(finished.map(\.epochs)),
                         wallSeconds: Statistic(finished.map(\.wallSeconds)),
                         cappedBeforeLevellingOff: finished.filter(\.cappedBeforeLevellingOff).map(\.seed),
                         stopReasons: Dictionary(finished.map { ($0.stop.reason, 1) }, uniquingKeysWith: +))
        }
    }
}

extension ExperimentSummary {
    static let tableFileName = "table.md"

    /// Reads the result of every run finished so far and writes `summary.json`, `table.md` and
    /// `index.html` into the experiment's output folder.
    @discardableResult
    public static func rebuild(_ plan: ExperimentPlan) throws -> ExperimentSummary {
        let summary = ExperimentSummary(plan: plan, results: try plan.runs.compactMap { try RunResult.read(from: $0.folder) })
        do {
            try FileManager.default.createDirectory(at: plan.output, withIntermediateDirectories: true)
        } catch {
            throw TrainingError("\(plan.output.path): cannot create the experiment folder (\(error.localizedDescription))")
        }
        try ResultFiles.writeJSON(summary, to: plan.output.appendingPathComponent(fileName), what: "summary")
        try ResultFiles.write(Data(ResultsTable.document(summary).utf8), to: plan.output.appendingPathComponent(tableFileName), what: "table")
        try ResultFiles.write(Data(try ExperimentPage.html(plan: plan, summary: summary).utf8),
                              to: plan.output.appendingPathComponent(ExperimentPage.fileName), what: "page")
        return summary
    }
}
