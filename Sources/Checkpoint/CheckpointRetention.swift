import Foundation

extension CheckpointStore {
    /// Removes the `ckpt-<step>.h5` files of `directory` except the one of step `newest` and
    /// the `keep − 1` highest steps below it; returns the removed files. `write(_:to:keep:)`
    /// calls it right after committing `newest`, so disk use stays bounded over a long run.
    ///
    /// Files with a step above `newest` go too: once `newest` is committed they belong to a
    /// timeline the run abandoned (written before it resumed from an earlier checkpoint, or
    /// never committed), and left behind they would be mistaken for the newest state if the
    /// marker were lost. `best-*.h5`, the marker and any other file are never touched.
    @discardableResult
    public static func prune(_ directory: URL, keep: Int, newest: Int) throws -> [URL] {
        precondition(keep >= 1, "keep must be at least 1, got \(keep)")
        let older = try checkpoints(in: directory).filter { $0.step != newest }
        let kept = Set(older.filter { $0.step < newest }.prefix(keep - 1).map(\.step))
        let removed = older.filter { !kept.contains($0.step) }.map(\.url)
        for url in removed { try DurableFile.remove(url) }
        return removed
    }
}
