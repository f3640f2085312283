import Foundation
import Reports

/// `index.html` of an experiment: the tables of `table.md`, then every setup's learning curves —
/// the dev score and training loss of each of its runs that has logged (finished or not),
/// drawn by the run report's own charts from the run's metrics.jsonl — with a link to each
/// finished run's full report (`report.html` in its folder).
enum ExperimentPage {
    static let fileName = "index.html"

    static func html(plan: ExperimentPlan, summary: ExperimentSummary) throws -> String {
        var sections = [
            ReportPage.Section("Test scores", note: "Rows are setups, columns task metrics (Table 3 of the paper); see the notes below.",
                               body: ResultsTable(summary: summary, split: "test").html.html),
            ReportPage.Section("Dev scores", note: "The same runs' best checkpoints on the dev splits.",
                               body: ResultsTable(summary: summary, split: "dev").html.html),
            ReportPage.Section("Notes", body: "<ul>" + ResultsTable.notes(summary).map { "<li>\($0.xmlEscaped)</li>" }.joined() + "</ul>"),
        ]
        for setup in plan.setups {
            var body = ""
            for run in plan.runs where run.setup.name == setup.name {
                let metrics = run.folder.appendingPathComponent(RunReport.metricsFileName)
                guard FileManager.default.fileExists(atPath: metrics.path) else { continue }
                let charts = RunCharts(metrics: try RunMetrics.read(metrics))
                let finished = summary.runs.contains { $0.setup == setup.name && $0.seed == run.seed }
                let report = run.folder.appendingPathComponent(RunReport.defaultOutputName)
                let link = FileManager.default.fileExists(atPath: report.path)
                    ? " — <a href=\"\("\(run.name)/\(RunReport.defaultOutputName)".xmlEscaped)\">run report</a>" : ""
                body += "<h3>seed \(run.seed)\(finished ? "" : " (not finished)")\(link)</h3>" + charts.validation.svg + charts.loss.svg
            }
            sections.append(ReportPage.Section("Setup \(setup.name): \(setup.hierarchy)",
                                               note: "Dev score and training loss of each seed's run, against the update step.",
                                               body: body.isEmpty ? "<p>No run of this setup has logged yet.</p>" : body))
        }
        return ReportPage(title: "hmtl experiment: \(summary.experiment)",
                          subtitle: "\(summary.runs.count) of \(plan.runs.count) runs finished", sections: sections).html
    }
}
