import Foundation
import Reports

/// `hmtl bench --sweep`: the bench of every world size under mpirun, the JSON file of the
/// sweep and its HTML page beside it.
public struct SweepRun {
    let task: String
    let shapes: Benchmark.Shapes
    let worlds: [Int]
    let rounds: Int
    /// The `hmtl bench …` arguments each world size's ranks run.
    let benchArguments: [String]
    let launcher: SweepLauncher

    public init(task: String, shapes: Benchmark.Shapes, worlds: [Int], rounds: Int, benchArguments: [String]) throws {
        self.task = task
        self.shapes = shapes
        self.worlds = worlds
        self.rounds = rounds
        self.benchArguments = benchArguments
        launcher = try SweepLauncher()
    }

    /// Every world size measured `rounds` times, each keeping its median run.
    public func measure() throws -> ScalingSweep {
        // Rounds alternate the world sizes, so a slow spell of the machine's neighbours (single
        // runs move by ±15 % here) falls on all of them; each keeps its median run by tokens/s.
        var runs: [Int: [ScalingSweep.Point]] = [:]
        for _ in 0..<rounds {
            for world in worlds.sorted() {
                let line = try launcher.measure(ranks: world, arguments: benchArguments)
                runs[world, default: []].append(try ScalingSweep.Point(line: line, source: "the \(world)-rank bench"))
            }
        }
        let points = worlds.sorted().map { world in
            let sorted = runs[world]!.sorted { $0.tokensPerSecond < $1.tokensPerSecond }
            return sorted[sorted.count / 2]
        }
        return try ScalingSweep(task: task, shapes: shapes, cores: ProcessInfo.processInfo.activeProcessorCount, points: points)
    }

    /// Writes `sweep` projected to `modelRanks` with `model` (`given` by the user, or fitted) to
    /// `output` and its page beside it; returns the table.
    public static func write(_ sweep: ScalingSweep, model: RingAllreduceModel, given: Bool, modelRanks: [Int],
                             output: String) throws -> (table: String, page: URL) {
        let object = sweep.json(model: model, given: given, modelRanks: modelRanks)
        try BenchmarkOutput.write(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted]), to: output)
        // The scaling page beside the JSON (`hmtl report RUN_DIR --bench` adds it to a run's page).
        let url = URL(fileURLWithPath: output)
        let page = url.deletingPathExtension().appendingPathExtension("html")
        try RunReport.write(sweep: url, output: page)
        return (sweep.table(model: model, given: given, modelRanks: modelRanks), page)
    }
}
