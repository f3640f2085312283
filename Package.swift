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
        .target(name: "Training", dependencies: ["Tensor", "NN", "Corpus", "Model", "Scoring", "Distributed", "Checkpoint", "CKernels"]),
        .executableTarget(name: "hmtl", dependencies: [
            "Training", "Model", "Scoring", "Corpus", "Checkpoint", "Distributed", "Tensor", "CKernels", "Processes",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // libFuzzer harness for the corpus readers (`make fuzz` builds it with -sanitize=fuzzer
        // -DFUZZING); an ordinary build gives a replayer for saved inputs.
        .executableTarget(name: "ReaderFuzzer", dependencies: ["Corpus"]),

        .testTarget(name: "RandomTests", dependencies: ["Random"]),
        // Exports the kernels' CPU-specific clones so the tests can call each one directly.
        .testTarget(name: "TensorTests", dependencies: ["Tensor"],
                    linkerSettings: [.unsafeFlags(["-Xlinker", "--export-dynamic"])]),
        // The finite-difference checker shared by the layer and model tests.
        .target(name: "GradientChecking", dependencies: ["Tensor"], path: "Tests/GradientChecking"),
        // Starts the processes of the end-to-end tests, bounds their waits and ends them whole;
        // checks at the end of the run that none is left.
        .target(name: "ProcessTesting", dependencies: ["Processes", "CKernels"], path: "Tests/ProcessTesting"),
        // A communicator whose collectives throw until a test's subclass simulates them.
        .target(name: "CommunicatorTesting", dependencies: ["Distributed"], path: "Tests/CommunicatorTesting"),
        .testTarget(name: "NNTests", dependencies: ["NN", "Tensor", "GradientChecking"]),
        .testTarget(name: "ModelTests", dependencies: ["Model", "NN", "Tensor", "Corpus", "GradientChecking"]),
        .testTarget(name: "ScoringTests", dependencies: ["Scoring", "Corpus", "Random"]),
        .testTarget(name: "CorpusTests", dependencies: ["Corpus", "Random"]),
        // Rewrites checkpoints as older format versions wrote them (raw HDF5), for the checkpoint
        // and the resume tests.
        .target(name: "CheckpointSurgery", dependencies: ["CHDF5"], path: "Tests/CheckpointSurgery"),
        .testTarget(name: "CheckpointTests", dependencies: ["Checkpoint", "CheckpointSurgery", "ProcessTesting"]),
        .testTarget(name: "DistributedTests", dependencies: ["Distributed", "CommunicatorTesting"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Model", "Corpus", "Checkpoint", "Distributed", "Tensor", "hmtl",
                                                          "CheckpointSurgery", "Processes", "ProcessTesting", "CommunicatorTesting"]),
    ]
)
