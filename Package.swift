// swift-tools-version:6.0
import PackageDescription

/// Hot element-wise kernels are plain C at -O3 so that debug builds (tests) stay fast too;
/// no -march flags, so results do not depend on the host's vector extensions. IEEE semantics
/// are kept; only errno (which nothing reads) is dropped so sqrtf can vectorise.
let kernelFlags: [CSetting] = [.unsafeFlags(["-O3", "-fno-fast-math", "-fno-math-errno", "-ffp-contract=off"])]

let package = Package(
    name: "hmtl",
    products: [.executable(name: "hmtl", targets: ["hmtl"])],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev", "openmpi-bin"])]),
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5", providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .target(name: "CKernels", cSettings: kernelFlags),

        .target(name: "Random"),
        .target(name: "Tensor", dependencies: ["Random", "CBLAS", "CKernels"]),
        .target(name: "NN", dependencies: ["Tensor", "CKernels"]),
        .target(name: "Corpus", dependencies: ["Random"]),
        .target(name: "Model", dependencies: ["Tensor", "NN", "Corpus"]),
        // Metrics and prediction-file readers: all `hmtl score` needs, with no network beneath it.
        .target(name: "Scoring", dependencies: ["Corpus"]),
        .target(name: "Distributed", dependencies: ["CMPI", "Random"]),
        .target(name: "Checkpoint", dependencies: ["CHDF5", "Random"]),
        .target(name: "Processes", dependencies: ["CKernels"]),
        // The training job: config and data, sampler, optimizer, the update step and its gradient
        // reduction, the loop with validation, checkpointing.
        .target(name: "Training", dependencies: ["Tensor", "NN", "Corpus", "Model", "Scoring", "Distributed", "Checkpoint", "CKernels"]),
        // Using a trained model: `predict` and `embed`.
        .target(name: "Prediction", dependencies: ["Training", "Model", "Corpus", "Checkpoint", "NN", "Tensor"]),
        // The self-contained HTML pages about a run or a scaling sweep, read from its files.
        .target(name: "Reports", dependencies: ["Training", "Model", "Checkpoint"]),
        // Starting this binary under mpirun, for the two jobs that do: the scaling sweep and the
        // experiment runner.
        .target(name: "Launching", dependencies: ["Training"]),
        // Throughput of a task's step, of an epoch of a config, and over ranks (`hmtl bench`).
        .target(name: "Benchmarks", dependencies: ["Training", "Reports", "Launching", "Model", "Corpus", "Distributed", "Tensor",
                                                   "Processes", "CKernels"]),
        // Experiment plans, the runner that trains every (setup, seed) under mpirun, results and
        // summaries (`hmtl experiment`).
        .target(name: "Experiments", dependencies: ["Training", "Reports", "Launching", "Model", "Checkpoint", "Processes", "CKernels"]),
        // The command line: parses options and calls into the targets above.
        .executableTarget(name: "hmtl", dependencies: [
            "Training", "Prediction", "Reports", "Benchmarks", "Experiments", "Launching", "Model", "Scoring", "Corpus", "Checkpoint",
            "Distributed", "Tensor", "CKernels",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // libFuzzer harness for the corpus readers (`make fuzz` builds it with -sanitize=fuzzer
        // -DFUZZING); an ordinary build gives a replayer for saved inputs.
        .executableTarget(name: "ReaderFuzzer", dependencies: ["Corpus"]),

        .testTarget(name: "RandomTests", dependencies: ["Random"]),
        // Exports the kernels' CPU-specific clones so the tests can call each one directly.
        .testTarget(name: "TensorTests", dependencies: ["Tensor", "CKernels", "ProcessTesting", "TestSupport", "hmtl"],
                    linkerSettings: [.unsafeFlags(["-Xlinker", "--export-dynamic"])]),
        // The finite-difference checker shared by the layer and model tests.
        .target(name: "GradientChecking", dependencies: ["Tensor"], path: "Tests/GradientChecking"),
        // Starts the processes of the end-to-end tests, bounds their waits and ends them whole;
        // checks at the end of the run that none is left.
        .target(name: "ProcessTesting", dependencies: ["Processes", "CKernels"], path: "Tests/ProcessTesting"),
        // What the test targets share: temporary folders, running the built `hmtl` and checking
        // its exit, the shared test configs, the trained checkpoint and a run's records.
        .target(name: "TestSupport", dependencies: ["ProcessTesting", "Processes", "Tensor", "Corpus"], path: "Tests/TestSupport"),
        // A communicator whose collectives throw until a test's subclass simulates them.
        .target(name: "CommunicatorTesting", dependencies: ["Distributed"], path: "Tests/CommunicatorTesting"),
        .testTarget(name: "NNTests", dependencies: ["NN", "Tensor", "GradientChecking", "TestSupport"]),
        .testTarget(name: "ModelTests", dependencies: ["Model", "NN", "Tensor", "Corpus", "GradientChecking"]),
        .testTarget(name: "CorpusTests", dependencies: ["Corpus", "Random"]),
        .testTarget(name: "ScoringTests", dependencies: ["Scoring", "Corpus", "Random", "TestSupport", "hmtl"]),
        // Rewrites checkpoints as older format versions wrote them (raw HDF5), for the checkpoint
        // and the resume tests.
        .target(name: "CheckpointSurgery", dependencies: ["CHDF5"], path: "Tests/CheckpointSurgery"),
        .testTarget(name: "CheckpointTests", dependencies: ["Checkpoint", "CheckpointSurgery", "ProcessTesting", "TestSupport"]),
        .testTarget(name: "DistributedTests", dependencies: ["Distributed", "CommunicatorTesting"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Model", "Corpus", "Checkpoint", "Distributed", "Tensor", "hmtl",
                                                          "CheckpointSurgery", "Processes", "ProcessTesting", "CommunicatorTesting",
                                                          "TestSupport", "Prediction", "Benchmarks"]),
        .testTarget(name: "PredictionTests", dependencies: ["Prediction", "Training", "Model", "Corpus", "Checkpoint", "Tensor", "hmtl",
                                                            "TestSupport"]),
        .testTarget(name: "BenchmarksTests", dependencies: ["Benchmarks", "Training", "Model", "Distributed", "Tensor", "hmtl", "TestSupport"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "Training", "hmtl", "TestSupport"]),
        .testTarget(name: "ExperimentsTests", dependencies: ["Experiments", "Training", "Tensor", "hmtl", "ProcessTesting", "TestSupport"]),
    ]
)
