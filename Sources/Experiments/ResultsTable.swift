import Foundation
import Model
import Reports
import Training

/// An experiment's scores in the layout of the paper's Table 3 — a row per setup, a column per
/// task metric, each cell the mean ± sample standard deviation over the finished seeds — for
/// one split; `table.md` holds the test and the dev table with what they mean, `index.html`
/// the same rows.
struct ResultsTable: Sendable {
    struct Column: Sendable {
        var header: String, task: String, metric: String
    }

    /// A column per score of every task the setups report, tasks in the paper's order, each
    /// task's scores as its level kind lists them ("NER F1", …, "CR avg").
    static func columns(_ summary: ExperimentSummary) -> [Column] {
        let tasks = Task.displayOrder(Set(summary.setups.flatMap(\.scores.keys)).map(Task.init(rawValue:)))
        return tasks.flatMap { task in
            LevelKinds.kind(of: task).tableScores.map { Column(header: "\(task.displayName) \($0.label)", task: task.rawValue, metric: $0.key) }
        }
    }

    let summary: ExperimentSummary
    /// `test` or `dev`.
    let split: String
    let columns: [Column]

    init(summary: ExperimentSummary, split: String) {
        self.summary = summary
        self.split = split
        columns = Self.columns(summary)
    }

    var headers: [String] { ["setup", "tasks"] + columns.map(\.header) + ["seeds", "epochs", "steps", "wall", "stopped by"] }

    var rows: [[String]] {
        summary.setups.map { setup in
            let scores = columns.map { c in Self.cell(setup.scores[c.task]?[split]?[c.metric]) }
            let reasons = setup.stopReasons.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
            let dagger = setup.cappedBeforeLevellingOff.isEmpty ? "" : " † seed " + setup.cappedBeforeLevellingOff.map(String.init).joined(separator: ", ")
            return [setup.setup, setup.hierarchy] + scores + [
                "\(setup.finishedSeeds.count)/\(setup.seeds.count)",
                setup.epochs.map { String(format: "%.1f", $0.mean) } ?? "–",
                setup.steps.map { String(format: "%.0f", $0.mean) } ?? "–",
                setup.wallSeconds.map { formatDuration($0.mean) } ?? "–",
                reasons.isEmpty ? "–" : reasons + dagger,
            ]
        }
    }

    /// "87.36 ± 0.21" (one seed: "87.36"; none: "–").
    static func cell(_ statistic: ExperimentSummary.Statistic?) -> String {
        guard let statistic else { return "–" }
        return String(format: "%.2f", statistic.mean) + (statistic.std.map { String(format: " ± %.2f", $0) } ?? "")
    }

    var html: HTMLTable { HTMLTable(headers: headers, rows: rows, numeric: Set(2..<headers.count - 1)) }

    var markdown: String {
        let escape = { (cell: String) in cell.replacingOccurrences(of: "|", with: "\\|") }
        var lines = ["| " + headers.map(escape).joined(separator: " | ") + " |",
                     "|" + headers.indices.map { $0 < 2 || $0 == headers.count - 1 ? "---|" : "---:|" }.joined()]
        lines += rows.map { "| " + $0.map(escape).joined(separator: " | ") + " |" }
        return lines.joined(separator: "\n")
    }

    /// What the tables show, for `table.md` and the page.
    static func notes(_ summary: ExperimentSummary) -> [String] {
        let machines = Set(summary.runs.map { r in
            "\(r.hardware.cpuModel), OpenBLAS \(r.hardware.blasKernel) kernel, \(r.worldSize) rank(s) × \(r.threads) BLAS thread(s), \(r.hardware.build) build"
        }).sorted()
        return [
            "Each task is scored with its own best dev checkpoint (best-<task>.h5, saved at the task's highest dev score; "
                + "RE's is its head-match F1). Scores in percent; mean ± sample standard deviation (n − 1) over the seeds "
                + "finished; seeds: finished/planned.",
            "RE F1 heads: type and each argument's last token (the paper's metric); RE F1 strict: type and both arguments' "
                + "full boundaries, argument spans taken from the tagger below as `hmtl predict` builds them. "
                + "CR: MUC, B³ and CEAF-e F1 and their average (CoNLL F1).",
            "Epochs and steps: where training ended (mean); wall: the runs' launches summed over sittings, start-up and final "
                + "test included (mean). Stopped by: the rule that ended each run (patience: every task out of patience; "
                + "min_lr; max_epochs / max_steps: the cap). † a run the cap stopped before its dev scores levelled off: "
                + "some task's best dev score rose by \(DevPlateau.minimumGain) F1 points or more over its last "
                + "\(DevPlateau.window) validations.",
            "Protocol (every run, after --set seed=N): " + (summary.protocolOverrides.isEmpty ? "none"
                : summary.protocolOverrides.map { "--set \($0)" }.joined(separator: " ")) + ".",
            "Hardware: " + (machines.isEmpty ? "no run finished yet" : machines.joined(separator: "; ")) + ".",
        ]
    }

    /// `table.md`: the test table, the dev table, the notes.
    static func document(_ summary: ExperimentSummary) -> String {
        """
        # \(summary.experiment): test scores

        \(ResultsTable(summary: summary, split: "test").markdown)

        ## Dev scores (the best checkpoints')

        \(ResultsTable(summary: summary, split: "dev").markdown)

        \(notes(summary).map { "- " + $0 }.joined(separator: "\n"))

        """
    }
}
