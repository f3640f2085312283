import ArgumentParser
import Training

extension TrainedModel {
    /// `--glove FILE` of predict, embed and evaluate (see `WordVectors.reopen`).
    static let vectorsHelp = ArgumentHelp(
        "The word-vector file (embedder.glove) the checkpoint was trained with, when it is no longer where the stored config names it; it must be the same file (size and checksum).",
        valueName: "FILE")
}
