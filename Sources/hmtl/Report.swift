import ArgumentParser
import Foundation
import Reports
import Training

/// Turns a run folder into one self-contained HTML page of tables and charts.
struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write an HTML report (summary, loss, dev score, sampling, learning rate, throughput, scaling) for a run folder.",
        discussion: """
        Reads RUN_DIR/metrics.jsonl, the config from the newest checkpoint, and a bench sweep \
        (RUN_DIR/bench-sweep.json or --bench). The page has inline SVG charts and CSS: no script, \
        no network, no external fonts.
        """)

    @Argument(help: "The run folder (the --output of hmtl train).") var runDir: String
    @Option(help: "Where to write the page (default: RUN_DIR/report.html).") var output: String?
    @Option(help: "A bench sweep JSON file (default: RUN_DIR/bench-sweep.json when present).") var bench: String?

    func run() throws {
        try runReportingFailures {
            let folder = URL(fileURLWithPath: runDir)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ValidationError("\(runDir): no such run folder")
            }
            let written = try RunReport.write(runDirectory: folder, output: output.map { URL(fileURLWithPath: $0) },
                                              bench: bench.map { URL(fileURLWithPath: $0) })
            print("hmtl: report → \(written.path)")
        }
    }
}
