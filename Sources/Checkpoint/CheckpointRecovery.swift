import Foundation

extension CheckpointStore {
    /// The newest checkpoint of `directory` that reads back intact, for resuming after a crash
    /// or a damaged file, with every file passed over and why (for the run's log); nil when
    /// the directory holds no checkpoint at all.
    ///
    /// Candidates, tried in order, each fully read and checksum-verified: the file the
    /// `latest` marker names, then the `ckpt-<step>.h5` files below its step, highest first.
    /// Files above the marker's step were never committed and are passed over. Without a
    /// usable marker (missing, or naming nothing readable) every `ckpt-<step>.h5` is a
    /// candidate, highest step first. Stale `*.tmp` files (interrupted writes) are removed
    /// and reported; call this only while no run is writing to `directory`.
    ///
    /// Throws `CheckpointError.Reason.noValidCheckpoint` when checkpoints exist but none is
    /// intact, or when the `latest` marker exists but names nothing readable and no checkpoint
    /// is left: starting afresh then would silently discard the run.
    public static func latestValid(in directory: URL) throws -> (url: URL, skipped: [(file: URL, reason: String)])? {
        guard FileManager.default.fileExists(atPath: directory.path) else { return nil }
        var skipped = try removeTemporaries(in: directory)
        let checkpoints = try checkpoints(in: directory)
        var candidates = checkpoints.map(\.url)
        let marker = directory.appendingPathComponent(markerName)
        do {
            if let marked = try latest(in: directory) {
                var others = checkpoints.filter { $0.url != marked }
                if let markedStep = step(ofFileName: marked.lastPathComponent) {
                    for newer in others where newer.step > markedStep {
                        skipped.append((newer.url, "newer than \(marked.lastPathComponent), which the \(markerName) marker names: its write never committed"))
                    }
                    others.removeAll { $0.step > markedStep }
                }
                candidates = [marked] + others.map(\.url)
            }
        } catch {
            skipped.append((marker, explanation(of: error)))
        }
        for url in candidates {
            do {
                _ = try read(url)
                return (url, skipped)
            } catch {
                skipped.append((url, explanation(of: error)))
            }
        }
        // A marker is written only after a checkpoint committed: with one, the run has saved state
        // even when its files are gone, and starting afresh would silently discard it.
        guard candidates.isEmpty, !FileManager.default.fileExists(atPath: marker.path) else {
            throw CheckpointError(file: directory.path, reason: .noValidCheckpoint(
                skipped: skipped.map { "\($0.file.lastPathComponent): \($0.reason)" }))
        }
        return nil
    }

    private static func removeTemporaries(in directory: URL) throws -> [(file: URL, reason: String)] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".tmp") }.sorted().map { name in
            let url = directory.appendingPathComponent(name)
            do {
                try DurableFile.remove(url)
                return (url, "stale temporary file of an interrupted write; removed")
            } catch {
                return (url, "stale temporary file of an interrupted write; \(explanation(of: error))")
            }
        }
    }

    /// An error's description without the file name that the caller lists anyway.
    private static func explanation(of error: Error) -> String {
        switch error {
        case let error as CheckpointError: error.explanation
        case let error as HDF5Error: error.explanation
        default: "\(error)"
        }
    }
}
