import ArgumentParser
import CKernels
import Experiments
import Foundation
import Launching

/// `hmtl experiment FILE.json`: every (setup, seed) of an experiment file, trained resumably,
/// scored and summarised (docs/experiments.md).
struct Experiment: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train every (setup, seed) of an experiment file under mpirun, resumably, and summarise the scores.",
        discussion: """
        Each run trains in <output>/<setup>-seed<N> (its output in train.log there). A run with a result.json \
        is skipped; one with a checkpoint continues with --resume. When a run's training ends, its scores go to \
        result.json; at the end summary.json, table.md and index.html are rebuilt from every finished run. \
        SIGTERM or Ctrl-C (once) stops the running trainings with a checkpoint.
        """)

    @Argument(help: "The experiment file (JSON): setups with their config and seeds, and the protocol every run gets.")
    var file: String

    @Option(help: "Folder of the runs and the summary (default: the file's \"output\", relative to it, else runs/<file name>).")
    var output: String?

    @Option(help: ArgumentHelp("Runs at once; each takes world_size × threads cores.", valueName: "N"))
    var parallel = 1

    @Flag(help: "Only rebuild summary.json, table.md and index.html from the runs finished so far.")
    var summarize = false

    @Flag(help: "Print every run's state and command; run nothing.")
    var dryRun = false

    func run() throws {
        try runReportingFailures {
            guard parallel > 0 else { throw ValidationError("--parallel: expected a positive number of runs, got \(parallel)") }
            let plan = try ExperimentPlan.load(path: file, output: output)
            if summarize {
                let summary = try ExperimentSummary.rebuild(plan)
                print("hmtl experiment: \(summary.runs.count) of \(plan.runs.count) runs finished; summary in \(RunCommand.relative(plan.output.path))")
                return
            }
            let runner = try ExperimentRunner(plan: plan, parallel: parallel, programs: LaunchPrograms(for: "hmtl experiment"))
            if dryRun {
                try runner.states().forEach { print($0) }
                return
            }
            hk_install_stop_handler()
            try runner.run()
        }
    }
}
